import * as os from 'node:os';
import type { Config } from '../config/config';
import { ModelGateway } from './gateway';

/**
 * The gateway of a run, with its budget. Evals on this machine reach it on loopback;
 * a cluster's nodes at `models.gatewayHost`, else this machine's host name.
 */
export function openGateway(config: Config, env: NodeJS.ProcessEnv): Promise<ModelGateway> {
  const remote = config.executor.kind === 'local' ? undefined : (config.models.gatewayHost ?? os.hostname());
  return ModelGateway.open({
    models: config.models,
    env,
    ...(config.budget.maxEvalCostUsd !== undefined ? { maxCostUsd: config.budget.maxEvalCostUsd } : {}),
    ...(remote !== undefined ? { remoteHost: remote } : {}),
  });
}
