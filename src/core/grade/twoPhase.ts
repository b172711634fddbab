import { lstatSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { timeLimitMs, type EvalRequest, type EvalRun, type Executor } from './executor';

/** What one run of an eval came to: the run of its command, and, for a two-phase eval, its grader's. */
export interface PhasedRun {
  run: EvalRun;
  /** The run whose metrics count: the grader's, or a one-phase eval's own. */
  result?: EvalRun;
  /** The grader's log, when it ran. */
  gradeLog?: string;
  /** Why the grader never ran although the command ended well. */
  problem?: { status: 'failed' | 'timeout'; reason: string };
}

/**
 * Runs a two-phase eval: its command (the candidate's agent) writes outputs in the
 * candidate's checkout; then, once every process of it is gone, its grader reads them
 * in a checkout of the baseline that `graderCheckout` makes, where no code of the
 * candidate is. The phases share the eval's time limit.
 */
export async function runTwoPhases(executor: Executor, request: EvalRequest, graderCheckout: () => Promise<string>): Promise<PhasedRun> {
  const outputs = executor.folder('outputs');
  try {
    const run = await executor.run({ ...request, phase: { kind: 'run', outputs } });
    if (!endedWell(run)) return { run };
    const problem = outputsProblem(outputs);
    if (problem) return { run, problem: { status: 'failed', reason: problem } };
    const left = timeLimitMs(request) - run.durationMs;
    if (left <= 0) return { run, problem: { status: 'timeout', reason: `timeout: the command used the whole ${request.spec.timeoutSec}s of the eval and left its grader none (timeoutSec covers both phases)` } };
    const gradeLog = request.logFile.replace(/\.log$/, '.grade.log');
    const dir = await graderCheckout();
    try {
      const result = await executor.run({ ...request, checkout: dir, logFile: gradeLog, phase: { kind: 'grade', outputs }, timeoutMs: left });
      return { run, result, gradeLog };
    } finally {
      executor.release(dir);
    }
  } finally {
    rmSync(outputs, { recursive: true, force: true });
  }
}

function endedWell(run: EvalRun): boolean {
  return run.exitCode === 0 && !run.timedOut && !run.aborted && !run.tooManyProcesses && run.killedBy === undefined;
}

/**
 * Why the outputs may not reach the grader: anything but plain files and folders. A
 * link could point where only the grader can see (/proc/self/cwd/… is its checkout),
 * and a pipe could hang it.
 */
function outputsProblem(outputs: string): string | undefined {
  const walk = (dir: string): string | undefined => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      const stat = lstatSync(file);
      const shown = path.relative(outputs, file);
      if (stat.isSymbolicLink()) return `the command left a symbolic link in $AIAI_OUTPUTS_DIR (${shown} → ${readlinkSync(file)}); outputs must be plain files, which the grader reads as they are`;
      if (stat.isDirectory()) {
        const inner = walk(file);
        if (inner) return inner;
      } else if (!stat.isFile()) return `the command left ${shown} in $AIAI_OUTPUTS_DIR, which is not a plain file (a pipe or a socket); outputs must be plain files`;
    }
    return undefined;
  };
  return walk(outputs);
}
