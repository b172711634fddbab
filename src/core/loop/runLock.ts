import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { runtimeError } from '../common/errors';
import type { EvalLedger } from '../grade/ledger';
import { cancelLeftJobs } from '../grade/slurmCommands';
import { isAlive } from '../common/processes';

/**
 * One loop per workspace: `.aiai/run.lock` holds the pid of the loop that runs, and
 * after it, one a line, the process groups of the evals it has running with each
 * leader's start time, and its Slurm jobs (`job <id> <name>`). Without the sandbox
 * an eval's group outlives a loop killed with kill -9, and a job always does; the
 * loop that takes the lock over ends what the dead one left. The start time keeps
 * it from killing a stranger that got a reused pid, the name from cancelling a job
 * that got a reused id.
 */
export interface RunLock {
  /** Told of each eval's process group and Slurm job as it starts and ends. */
  readonly ledger: EvalLedger;
  /** Eval process groups a dead loop left running, ended when its lock was taken over. */
  readonly endedGroups: number;
  /** Slurm jobs a dead loop left running or waiting, cancelled when its lock was taken over. */
  readonly cancelledJobs: number;
  /** Why some of those jobs could not be cancelled, if so. */
  readonly jobsProblem?: string;
  /** The pid of the loop that died holding the lock, when it was taken over: whose leftovers clean-up may remove. */
  readonly deadHolder?: number;
  release(): void;
}

export function acquireRunLock(workspace: string): RunLock {
  const file = path.join(workspace, CONFIG_DIR, 'run.lock');
  let endedGroups = 0;
  let left: { cancelled: number; problem?: string } = { cancelled: 0 };
  let deadHolder: number | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return {
        ledger: new LedgerInLock(file),
        endedGroups,
        cancelledJobs: left.cancelled,
        ...(left.problem ? { jobsProblem: left.problem } : {}),
        ...(deadHolder !== undefined ? { deadHolder } : {}),
        release: () => rmSync(file, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [holder, ...lines] = readFileSync(file, 'utf8').split('\n');
      if (isAlive(Number(holder))) {
        throw runtimeError(`another aiai loop (pid ${holder}) is running on this workspace; stop it first or wait for it to finish`);
      }
      if (Number.isInteger(Number(holder)) && Number(holder) > 0) deadHolder = Number(holder);
      const jobs = lines.filter((line) => line.startsWith(JOB)).map((line) => line.slice(JOB.length).split(' '));
      left = cancelLeftJobs(jobs.map(([id = '', name = '']) => ({ id, name })));
      endedGroups += lines.filter((line) => !line.startsWith(JOB) && endGroup(line)).length;
      rmSync(file, { force: true }); // left by a loop that died
      rmSync(`${file}.next`, { force: true });
    }
  }
  throw runtimeError(`could not take the run lock ${file}`);
}

const JOB = 'job ';

/** The lock file rewritten whole (write, then rename) at each change, so a reader never sees half of it. */
class LedgerInLock implements EvalLedger {
  private readonly groups = new Map<number, string>();
  private readonly jobs = new Map<string, string>();

  constructor(private readonly file: string) {}

  started(group: number): void {
    this.groups.set(group, startTime(group) ?? '-');
    this.write();
  }

  ended(group: number): void {
    if (this.groups.delete(group)) this.write();
  }

  jobSubmitted(id: string, name: string): void {
    this.jobs.set(id, name);
    this.write();
  }

  jobEnded(id: string): void {
    if (this.jobs.delete(id)) this.write();
  }

  private write(): void {
    const lines = [String(process.pid), ...[...this.groups].map(([group, start]) => `${group} ${start}`), ...[...this.jobs].map(([id, name]) => `${JOB}${id} ${name}`)];
    const next = `${this.file}.next`;
    writeFileSync(next, lines.join('\n'));
    renameSync(next, this.file);
  }
}

/** Kills the process group a line names, unless its leader's pid now belongs to another process. Whether it did. */
function endGroup(line: string): boolean {
  const [group = 0, start = ''] = line.split(' ');
  const pgid = Number(group);
  if (!Number.isInteger(pgid) || pgid <= 1) return false; // -1 would be every process
  const now = startTime(pgid);
  if (now !== undefined && start !== '-' && now !== start) return false;
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false; // the group is gone
  }
}

/** When a process started, in clock ticks since boot (Linux); undefined where /proc has no such process. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
