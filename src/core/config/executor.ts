import * as path from 'node:path';

/** Where evaluations run: this machine, or a Slurm cluster. */
export type ExecutorConfig = { kind: 'local' } | SlurmConfig;

export interface SlurmConfig {
  kind: 'slurm';
  /** Without it, the cluster's default partition. */
  partition?: string;
  /** A folder every compute node sees at the same path. */
  sharedDir: string;
  sbatchArgs: string[];
  submit: SubmitMethod;
}

/** srun starts a job at once but needs the nodes to reach this machine; sbatch does not, and starts it at the controller's next pass. */
export type SubmitMethod = 'srun' | 'sbatch';

export type RawExecutor = { kind: 'local' | 'slurm'; partition?: string; sharedDir?: string; sbatchArgs?: string[]; submit?: SubmitMethod };

export function executorWithDefaults(raw: RawExecutor | undefined): ExecutorConfig {
  if (raw?.kind !== 'slurm') return { kind: 'local' };
  return { ...(raw as SlurmConfig), sbatchArgs: raw.sbatchArgs ?? [], submit: raw.submit ?? 'srun' };
}

/** A job option (sbatch's and srun's) the config refuses in sbatchArgs, with what to do instead. */
interface Option {
  long: string;
  short?: string;
  instead: string;
}

/** Options aiai sets on every job itself. */
const OWN_OPTIONS: Option[] = [
  { long: '--job-name', short: '-J', instead: 'aiai names each job aiai-<candidate id>-<eval name>' },
  { long: '--partition', short: '-p', instead: 'use executor.partition' },
  { long: '--time', short: '-t', instead: "the time limit comes from each eval's timeoutSec" },
  { long: '--output', short: '-o', instead: 'aiai keeps each eval\'s log under sharedDir' },
  { long: '--error', short: '-e', instead: 'aiai keeps each eval\'s log under sharedDir' },
  { long: '--chdir', short: '-D', instead: 'each job runs in its candidate\'s checkout' },
  { long: '--wrap', instead: 'aiai writes each job\'s script' },
  { long: '--array', short: '-a', instead: 'each eval is one job' },
  { long: '--wait', short: '-W', instead: 'aiai follows its jobs with squeue' },
  { long: '--parsable', instead: 'aiai reads the job id itself' },
  { long: '--export', instead: 'a job gets only the variables an eval may see; name one in sandbox.env to pass it' },
  { long: '--export-file', instead: 'a job gets only the variables an eval may see; name one in sandbox.env to pass it' },
];

/** Options that would break a job submitted with srun: each task would run the eval again, or srun would not name the job. */
const NOT_WITH_SRUN: Option[] = [
  { long: '--ntasks', short: '-n', instead: 'with srun every task runs the eval once more; ask for CPUs with --cpus-per-task, or set executor.submit to "sbatch"' },
  { long: '--quiet', short: '-Q', instead: "aiai reads the job id from srun's messages" },
  { long: '--pty', instead: 'a job of aiai has no terminal' },
];

/** What is wrong with the executor key, each with where it stands under "executor". */
export function executorProblems(raw: RawExecutor | undefined): Array<{ location: Array<string | number>; message: string }> {
  if (!raw) return [];
  const problems: Array<{ location: Array<string | number>; message: string }> = [];
  if (raw.kind === 'local') {
    for (const key of ['partition', 'sharedDir', 'sbatchArgs', 'submit'] as const) {
      if (raw[key] !== undefined) problems.push({ location: [key], message: `executor.${key} applies only to "kind": "slurm"` });
    }
    return problems;
  }
  if (raw.sharedDir !== undefined && !path.isAbsolute(raw.sharedDir)) {
    problems.push({ location: ['sharedDir'], message: `executor.sharedDir must be an absolute path that every compute node sees, not "${raw.sharedDir}"` });
  }
  const refused = raw.submit === 'sbatch' ? OWN_OPTIONS : [...OWN_OPTIONS, ...NOT_WITH_SRUN];
  (raw.sbatchArgs ?? []).forEach((arg, i) => {
    const own = refused.find((o) => arg === o.long || arg.startsWith(`${o.long}=`) || (o.short !== undefined && arg.startsWith(o.short)));
    if (own) problems.push({ location: ['sbatchArgs', i], message: `executor.sbatchArgs may not set ${own.long}: ${own.instead}` });
  });
  return problems;
}
