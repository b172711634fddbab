import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config } from '../config/config';
import type { Git } from '../git/git';
import type { Worktrees } from '../git/worktrees';
import { runCommand } from './command';
import { evalEnvironment } from '../config/evalEnvironment';
import { evalEnv, outputsMounts, phaseCommand, timeLimitMs, type EvalRequest, type EvalRun, type Executor } from './executor';
import { clearReport, readResult } from './reportFile';
import { sandboxed, type Isolation, type SandboxOptions } from './sandbox';
import { bridgeLauncher } from '../gateway/bridge';
import type { Grant } from '../gateway/gateway';

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

  folder(name: string): string {
    return mkdtempSync(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-${name}-`));
  }

  async run(request: EvalRequest): Promise<EvalRun> {
    const { checkout, logFile, signal, gateway, phase } = request;
    const scratch = this.folder('tmp');
    try {
      clearReport(request);
      const outputs = outputsMounts(phase);
      const readOnly = [...this.config.shared.map((entry) => path.join(this.git.root, entry)), ...outputs.readOnly];
      const bridge = gateway && this.isolation.kind === 'bubblewrap' && !this.config.sandbox.network ? this.bridge(scratch, gateway) : undefined;
      const binds = [...outputs.binds, ...(bridge?.binds ?? [])];
      const argv = sandboxed(phaseCommand(request), {
        cwd: checkout,
        scratch,
        config: this.config.sandbox,
        isolation: this.isolation,
        workspaceRoot: this.git.root,
        private: [this.worktrees.root, os.tmpdir()],
        readOnly,
        binds,
        ...(bridge ? { launcher: bridge.launcher } : {}),
      });
      const result = await runCommand({
        ...argv,
        cwd: checkout,
        env: evalEnvironment(process.env, this.config.sandbox.env, { ...argv.env, ...evalEnv(request, scratch), ...gateway?.env(), ...bridge?.env }),
        timeoutMs: timeLimitMs(request),
        logFile,
        signal,
        maxProcesses: this.config.sandbox.maxProcesses,
      });
      return { ...result, written: readResult(request, scratch) };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /**
   * In a sandbox without network, the gateway is reached through its unix socket,
   * bound into the eval's temp folder, and the bridge in front of the eval serves it
   * at the same loopback address as outside.
   */
  private bridge(scratch: string, gateway: Grant): Required<Pick<SandboxOptions, 'binds' | 'launcher'>> & { env: Record<string, string> } {
    const inside = path.join(scratch, 'gateway.sock');
    const launcher = bridgeLauncher(scratch, gateway.port, inside);
    return { binds: [{ from: gateway.socket, to: inside }], launcher: launcher.argv, env: launcher.env };
  }
}
