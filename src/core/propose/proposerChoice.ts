import type { Config } from '../config/config';
import { ParameterSearch } from './parameterSearch';
import type { Proposer } from './proposer';

/**
 * The proposer a config asks for. The built-in parameter search needs no network
 * and stands in whenever the model proposer has no API key.
 */
export async function chooseProposer(config: Config, env: NodeJS.ProcessEnv): Promise<{ proposer: Proposer; notice?: string }> {
  const search = new ParameterSearch(config.knobs, config.proposer.seed);
  if (config.proposer.kind === 'parameter-search') return { proposer: search };
  const apiKey = env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    return {
      proposer: search,
      notice:
        'no Anthropic API key, so the built-in parameter search proposes instead of a model. Set one with ANTHROPIC_API_KEY in the terminal, ' +
        'or "AIAI: Set Anthropic API Key" in VS Code.',
    };
  }
  const baseURL = config.proposer.baseUrl ?? env.ANTHROPIC_BASE_URL;
  // Loaded only when a model proposes: the SDK is most of the CLI's start-up time.
  const { AnthropicProposer } = await import('./anthropicProposer');
  return { proposer: new AnthropicProposer(config, { apiKey, ...(baseURL ? { baseURL } : {}) }) };
}
