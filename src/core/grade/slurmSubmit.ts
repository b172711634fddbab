import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { SubmitMethod } from '../config/executor';
import { runtimeError } from '../common/errors';
import { readTextIfExists } from '../common/files';
import { abortedBy, pause } from '../common/pause';
import { firstLines, NOT_FOUND, slurm } from './slurmCommands';

/*
 * How a job reaches Slurm. srun asks for its allocation on the spot, and slurmctld
 * grants it at once when the nodes are free (about 35 ms here); sbatch queues a batch
 * job that slurmctld starts only at its next scheduling pass, up to a second later
 * (Slurm 22.05, whatever SchedulerParameters say). srun needs the nodes to reach the
 * machine aiai runs on; sbatch does not.
 */

export interface SubmittedJob {
  id: string;
  /** Resolves when srun has exited: the job ended and Slurm let it go. A batch job has no such process. */
  srunExit?: Promise<void>;
}

/**
 * Submits a job that runs `script`; returns its id, or undefined when a stop came
 * before Slurm gave it one (nothing is then left waiting), or throws what Slurm said,
 * with what to do about it.
 */
export function submitJob(method: SubmitMethod, args: string[], script: string, messages: string, what: string, signal: AbortSignal): Promise<SubmittedJob | undefined> {
  return method === 'sbatch' ? submitBatch([...args, script], what) : submitWithSrun([...args, script], messages, what, signal);
}

/** Hints for Slurm's usual refusals, by what its message says. */
const REFUSALS: Array<[RegExp, string]> = [
  [/invalid partition/i, 'check executor.partition (sinfo lists the partitions)'],
  [/node configuration is not available|memory specification/i, 'the job asks for more than any node of the partition has; check executor.sbatchArgs'],
  [/invalid account|account.*(not|invalid)/i, 'check --account in executor.sbatchArgs (sacctmgr show assoc user=$USER lists yours)'],
  [/invalid qos|qos/i, 'check --qos in executor.sbatchArgs'],
  [/time limit/i, "the partition's time limit is below an eval's timeoutSec"],
  [/unrecognized option/i, 'srun does not take this option of sbatch: remove it from executor.sbatchArgs, or set executor.submit to "sbatch"'],
];

function refused(what: string, said: string): Error {
  const hint = REFUSALS.find(([pattern]) => pattern.test(said))?.[1];
  return runtimeError(`Slurm refused the job for ${what}: ${said}${hint ? ` (${hint})` : ''}`);
}

async function submitBatch(args: string[], what: string): Promise<SubmittedJob> {
  const answer = await slurm('sbatch', ['--parsable', ...args]);
  const id = answer.stdout.trim().split(';')[0] ?? '';
  if (answer.code === 0 && /^\d+$/.test(id)) return { id };
  throw refused(what, firstLines(answer.stderr) || `sbatch exited with code ${answer.code}`);
}

/** How often srun's messages are read for the job id it was given. */
const ID_POLL_MS = 10;
/** How long srun may take to give its request up after a stop. */
const STOP_WAIT_MS = 10_000;
/** srun -v names the job once it has its allocation; without one at once, it says the job waits. */
const JOB_ID = /^srun: (?:jobid (\d+):|job (\d+) queued)/m;

/** The process groups of the srun commands that have no job id yet: only they know of their request. */
const asking = new Set<number>();
let stopsOnExit = false;

/**
 * srun runs detached, in a session of its own with its messages in `messages`, so
 * that neither a Ctrl-C of the terminal nor the death of aiai ends the job: only
 * scancel does. Until srun names its job, a stop (or the end of this process) ends
 * srun itself, which withdraws its request.
 */
async function submitWithSrun(args: string[], messages: string, what: string, signal: AbortSignal): Promise<SubmittedJob | undefined> {
  if (!stopsOnExit) {
    stopsOnExit = true;
    process.once('exit', () => asking.forEach(stop));
  }
  const out = openSync(messages, 'w');
  let exitCode: number | null | undefined;
  let failed: Error | undefined;
  let srunExit: Promise<void>;
  let group: number | undefined;
  try {
    const child = spawn('srun', ['--verbose', ...args], { detached: true, stdio: ['ignore', out, out], env: srunEnv() });
    srunExit = new Promise((resolve) => child.once('close', () => resolve()));
    child.on('exit', (code) => (exitCode = code));
    child.on('error', (error) => (failed = (error as NodeJS.ErrnoException).code === 'ENOENT' ? runtimeError(NOT_FOUND('srun')) : error));
    child.unref();
    group = child.pid;
  } finally {
    closeSync(out);
  }
  if (group !== undefined) asking.add(group);
  try {
    for (;;) {
      if (failed) throw failed;
      const ended = exitCode !== undefined;
      const said = readTextIfExists(messages) ?? '';
      const found = JOB_ID.exec(said);
      if (found) return { id: (found[1] ?? found[2])!, srunExit };
      if (ended) throw refused(what, firstLines(launcherSaid(said)) || `srun exited with code ${exitCode} without a job: ${said.trim().split('\n').slice(-3).join('; ')}`);
      if (signal.aborted) {
        if (group !== undefined) stop(group);
        await pause(STOP_WAIT_MS, abortedBy(srunExit));
        return undefined;
      }
      await pause(ID_POLL_MS, signal);
    }
  } finally {
    if (group !== undefined) asking.delete(group);
  }
}

function stop(group: number): void {
  try {
    process.kill(-group, 'SIGTERM');
  } catch {
    // already gone
  }
}

/**
 * srun's environment. Inside a job of its own (aiai started by sbatch or salloc),
 * srun would read that job's SLURM_* variables as its options (its tasks, CPUs,
 * memory) and run a step of that job: only SLURM_CONF is kept then.
 */
function srunEnv(): NodeJS.ProcessEnv {
  if (process.env.SLURM_JOB_ID === undefined && process.env.SLURM_JOBID === undefined) return process.env;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SLURM_') || name === 'SLURM_CONF'));
}

/** What srun said that matters to a person: its errors and the job's, without the --verbose chatter. */
export function launcherSaid(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('srun: ') || /^srun: (error|fatal|unrecognized|invalid|option)/i.test(l))
    .join('\n')
    .trim();
}
