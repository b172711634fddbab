import type { Config } from './config';
import { ParameterSearch } from './parameterSearch';
import type { Proposer } from './proposer';

/**
 * The proposer a config asks for. The built-in parameter search needs no network
 * and is what runs whenever a model proposer cannot.
 */
export function chooseProposer(config: Config, env: NodeJS.ProcessEnv): { proposer: Proposer; notice?: string } {
  const search = new ParameterSearch(config.knobs, config.proposer.seed);
  if (config.proposer.kind === 'parameter-search') return { proposer: search };
  const notice = env.ANTHROPIC_API_KEY
    ? 'the Anthropic proposer is not part of this build yet; using the built-in parameter search'
    : 'no ANTHROPIC_API_KEY is set, so the built-in parameter search proposes instead of a model ' +
      '(set the key in your environment to use the model)';
  return { proposer: search, notice };
}
