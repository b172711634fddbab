import { execFile, spawnSync } from 'node:child_process';
import { runtimeError } from '../common/errors';

/* The Slurm commands aiai follows its jobs with (squeue, scontrol, sinfo, scancel), and what their answers mean for a user. */

interface Answer {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const NOT_FOUND = (tool: string): string =>
  `${tool} was not found on this machine's PATH: with "executor": { "kind": "slurm" } aiai submits each eval with srun (or sbatch, with executor.submit) and follows it with squeue and scancel, ` +
  'so run aiai on a machine of the cluster (a login node) where the Slurm commands work, or set executor.kind to "local"';

/** Runs a Slurm command; only a missing command throws. */
export function slurm(tool: string, args: string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(runtimeError(NOT_FOUND(tool)));
      else resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A Slurm command's messages on one line, without their `sbatch: error:` prefixes. */
export function firstLines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/^s\w+: error: /, '').trim())
    .filter(Boolean)
    .join('; ');
}

/** Throws, saying what to do, when `tool` (srun or sbatch) is not on this machine. */
export async function requireSlurm(tool: string): Promise<void> {
  await slurm(tool, ['--version']);
}

export interface JobState {
  /** PENDING, RUNNING, COMPLETED, TIMEOUT, … as squeue prints them. */
  state: string;
  /** Why it waits, when pending. */
  reason: string;
  partition: string;
}

/** States a job never leaves. */
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'SPECIAL_EXIT', 'REVOKED']);

export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

/** A job's state from squeue, or scontrol when squeue no longer lists it; undefined when Slurm has forgotten it. */
export async function jobState(id: string): Promise<JobState | undefined> {
  const listed = await slurm('squeue', ['-h', '-t', 'all', '-j', id, '-o', '%T|%r|%P']);
  const [state, reason = '', partition = ''] = listed.stdout.trim().split('|');
  if (listed.code === 0 && state) return { state, reason, partition };
  const shown = await slurm('scontrol', ['show', 'job', '-o', id]);
  const field = (name: string): string | undefined => new RegExp(`(?:^| )${name}=(\\S+)`).exec(shown.stdout)?.[1];
  const fromScontrol = field('JobState');
  return shown.code === 0 && fromScontrol ? { state: fromScontrol, reason: field('Reason') ?? '', partition: field('Partition') ?? '' } : undefined;
}

/** Cancels jobs (those already ended are let be). */
export async function cancel(ids: string[]): Promise<void> {
  if (ids.length > 0) await slurm('scancel', ids);
}

/**
 * Cancels the jobs a dead run left that still run or wait, each only if it still
 * bears the name it was given (a job id can be reused once a cluster is set up
 * again). Returns how many, or why it could not.
 */
export function cancelLeftJobs(jobs: Array<{ id: string; name: string }>): { cancelled: number; problem?: string } {
  if (jobs.length === 0) return { cancelled: 0 };
  const listed = spawnSync('squeue', ['-h', '-j', jobs.map((j) => j.id).join(','), '-o', '%i|%j'], { encoding: 'utf8' });
  const problem = (error: Error): string =>
    `could not cancel the Slurm job(s) ${jobs.map((j) => j.id).join(', ')} that an earlier run left: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'squeue or scancel was not found' : error.message}`;
  if (listed.error) return { cancelled: 0, problem: problem(listed.error) };
  const live = new Set(listed.stdout.split('\n').map((l) => l.trim()));
  const ours = jobs.filter(({ id, name }) => live.has(`${id}|${name}`)).map((j) => j.id);
  if (ours.length === 0) return { cancelled: 0 };
  const cancelled = spawnSync('scancel', ours, { encoding: 'utf8' });
  return cancelled.error ? { cancelled: 0, problem: problem(cancelled.error) } : { cancelled: ours.length };
}

/** The cluster's partitions (its default one first, when marked), or what went wrong asking. */
export async function partitions(): Promise<string[]> {
  const answer = await slurm('sinfo', ['-h', '-o', '%P']);
  if (answer.code !== 0) throw runtimeError(`cannot reach the Slurm controller: ${firstLines(answer.stderr) || `sinfo exited with code ${answer.code}`}`);
  return [...new Set(answer.stdout.split('\n').map((p) => p.trim()).filter(Boolean))];
}

/** The states of a partition's nodes (sinfo's %T), the default partition's without a name. */
export async function nodeStates(partition: string | undefined): Promise<string[]> {
  const answer = await slurm('sinfo', ['-h', '-N', '-o', '%T', ...(partition ? ['-p', partition] : [])]);
  return answer.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** Whether a node in this state (sinfo's %T) can take a job now or soon. */
export function isUsable(state: string): boolean {
  return !state.endsWith('*') && !/^(down|drain|fail|inval|unk|maint|future|not_responding|power_down|powering_down)/i.test(state);
}

/**
 * Pending reasons after which the job will never start as asked, with what to do;
 * a node that is down or a partition that is not up is looked at with sinfo instead.
 */
export const NEVER_STARTS: Array<[RegExp, string]> = [
  [/^(PartitionConfig|BadConstraints|PartitionNodeLimit)$/, 'the job asks for more than the partition allows; check executor.sbatchArgs'],
  [/^PartitionTimeLimit$/, "an eval's timeoutSec is above the partition's time limit"],
  [/^(InvalidAccount|AccountNotAllowed)$/, 'check --account in executor.sbatchArgs'],
  [/^(InvalidQOS|QOSNotAllowed)$/, 'check --qos in executor.sbatchArgs'],
];

/** Pending reasons that may mean no node can take the job. */
export const NODES_UNAVAILABLE = /ReqNodeNotAvail|DOWN|DRAINED|PartitionDown|PartitionInactive|NodeDown/;
