import type { Config } from '../config/config';
import type { Git } from '../git/git';
import type { Worktrees } from '../git/worktrees';
import type { Executor } from './executor';
import { LocalExecutor } from './localExecutor';
import type { Isolation } from './sandbox';
import { SlurmExecutor } from './slurmExecutor';

/** The executor the config names; `worktrees` are this machine's, for the local one. */
export async function chooseExecutor(config: Config, git: Git, worktrees: Worktrees, isolation: Isolation): Promise<Executor> {
  if (config.executor.kind === 'local') return new LocalExecutor(git, config, worktrees, isolation);
  return SlurmExecutor.open(git, config, config.executor);
}
