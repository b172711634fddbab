import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config } from '../config/config';
import { readTextIfExists } from '../common/files';
import type { Git } from '../git/git';
import type { Worktrees } from '../git/worktrees';
import { runCommand } from './command';
import { evalEnv, type EvalRequest, type EvalRun, type Executor } from './executor';
import { sandboxed, type Isolation } from './sandbox';

/**
 * An evaluation's private temp folder: `aiai-eval-<pid>-…`, so the folders of a
 * process that died (kill -9) can be found and removed by the next run.
 */
export const SCRATCH_PREFIX = 'aiai-eval-';

/** Runs evals on this machine, in worktrees of its own, each in the sandbox. */
export class LocalExecutor implements Executor {
  constructor(
    private readonly git: Git,
    private readonly config: Config,
    private readonly worktrees: Worktrees,
    private readonly isolation: Isolation,
  ) {}

  prepare(commit: string): Promise<string> {
    return this.worktrees.lease(commit, this.config.shared);
  }

  release(checkout: string): void {
    this.worktrees.release(checkout);
  }

  drain(): Promise<void> {
    return this.worktrees.drain();
  }

  async run({ spec, checkout, label, repeat, logFile, signal }: EvalRequest): Promise<EvalRun> {
    const scratch = mkdtempSync(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
    const metricsFile = path.join(scratch, 'metrics.json');
    try {
      const readOnly = this.config.shared.map((entry) => path.join(this.git.root, entry));
      const argv = sandboxed(spec.command, { cwd: checkout, scratch, config: this.config.sandbox, isolation: this.isolation, readOnly });
      const result = await runCommand({
        ...argv,
        cwd: checkout,
        env: { ...process.env, ...argv.env, ...evalEnv({ spec, label, repeat }, metricsFile, scratch) },
        timeoutMs: spec.timeoutSec * 1000,
        logFile,
        signal,
        maxProcesses: this.config.sandbox.maxProcesses,
      });
      return { ...result, metricsText: readTextIfExists(metricsFile) };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}
