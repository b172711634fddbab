import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configLocation, type Config } from '../config/config';
import type { SlurmConfig } from '../config/executor';
import { ConfigError, runtimeError } from '../common/errors';
import { readTextIfExists } from '../common/files';
import { abortedBy, pause } from '../common/pause';
import type { Git } from '../git/git';
import { Worktrees } from '../git/worktrees';
import { LOG_TAIL } from './command';
import { evalVariables } from '../config/evalEnvironment';
import { evalEnv, outputsMounts, phaseCommand, timeLimitMs, type EvalRequest, type EvalRun, type Executor } from './executor';
import { currentLedger } from './ledger';
import { cancel, isTerminal, isUsable, jobState, NEVER_STARTS, nodeStates, NODES_UNAVAILABLE, partitions, requireSlurm, type JobState } from './slurmCommands';
import { clearReport, readResult } from './reportFile';
import { launcherSaid, submitJob, type SubmittedJob } from './slurmSubmit';
import { gatewayOnNode, jobScript, JOB_FILES } from './slurmScript';

/** How often a job's folder is looked at for its end: cheap, and what a job's result waits for. */
const POLL_MS = 50;
/** How often Slurm is asked about a job: its start, a wait that will never end, a death the folder cannot tell. */
const ASK_MS = 1000;
/** How long a job's files may take to show on this machine after Slurm says it ended (a shared filesystem's caches). */
const FILES_GRACE_MS = 5000;
/** How long a job may take to end once cancelled or finished, and its srun to exit (Slurm's KillWait is 30 s by default). */
const CANCEL_WAIT_MS = 60_000;

/** How a followed job came to an end. */
type Ending = { kind: 'done' } | { kind: 'timedOut' } | { kind: 'aborted' } | { kind: 'ended'; state: string };

/**
 * Runs each eval as a Slurm job named `aiai-<label>-<eval>`, submitted with srun or sbatch. The candidate's
 * checkout, the job's script, metrics file and log are under `sharedDir`, which
 * the nodes see; the job is followed through its folder (fast) and squeue /
 * scontrol (for what the folder cannot tell). A stop or a timeout cancels it.
 */
export class SlurmExecutor implements Executor {
  private constructor(
    private readonly git: Git,
    private readonly config: Config,
    private readonly slurm: SlurmConfig,
    private readonly worktrees: Worktrees,
    private readonly jobsRoot: string,
  ) {}

  /**
   * Checks the cluster and sharedDir before anything is submitted, and removes what a
   * dead run of this checkout left under sharedDir. Call it holding the run lock.
   */
  static async open(git: Git, config: Config, slurm: SlurmConfig): Promise<SlurmExecutor> {
    await requireSlurm(slurm.submit);
    const known = (await partitions()).map((p) => p.replace(/\*$/, ''));
    if (slurm.partition !== undefined && !known.includes(slurm.partition)) {
      throw new ConfigError([configLocation(config.workspace, ['executor', 'partition'], `Slurm has no partition "${slurm.partition}" (its partitions: ${known.join(', ') || 'none'})`)]);
    }
    const states = await nodeStates(slurm.partition);
    if (!states.some(isUsable)) throw runtimeError(noNodes(slurm.partition, states));
    const worktrees = await Worktrees.for(git, slurm.sharedDir);
    const jobsRoot = path.join(slurm.sharedDir, 'aiai-jobs', path.basename(worktrees.root));
    const problem = unwritable(slurm.sharedDir, jobsRoot);
    if (problem) throw new ConfigError([configLocation(config.workspace, ['executor', 'sharedDir'], problem)]);
    await worktrees.removeStray();
    for (const name of readdirNames(jobsRoot)) rmSync(path.join(jobsRoot, name), { recursive: true, force: true });
    return new SlurmExecutor(git, config, slurm, worktrees, jobsRoot);
  }

  prepare(commit: string): Promise<string> {
    return this.worktrees.lease(commit, this.config.shared);
  }

  release(checkout: string): void {
    this.worktrees.release(checkout);
  }

  async drain(): Promise<void> {
    await this.worktrees.drain();
    rmSync(this.jobsRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    for (const dir of [path.dirname(this.jobsRoot), path.dirname(this.worktrees.root)]) {
      try {
        rmdirSync(dir);
      } catch {
        // another checkout's jobs or worktrees are there
      }
    }
  }

  folder(name: string): string {
    return mkdtempSync(path.join(this.jobsRoot, `${name}-`));
  }

  async run(request: EvalRequest): Promise<EvalRun> {
    const { spec, label, signal } = request;
    const what = `${spec.name}${request.phase?.kind === 'grade' ? '-grade' : ''}`;
    const name = `aiai-${label}-${what}`;
    const folder = this.folder(`${label}-${what}`);
    const file = (f: string): string => path.join(folder, f);
    const scratch = file(JOB_FILES.scratch);
    mkdirSync(scratch);
    const gateway = request.gateway && gatewayOnNode(request.gateway, scratch, this.config);
    const outputs = outputsMounts(request.phase);
    const { inherited, assigned } = evalVariables(process.env, this.config.sandbox.env, { ...evalEnv(request, scratch), ...gateway?.env });
    try {
      clearReport(request);
      // The script holds no value of aiai's environment (those reach the job by name, through Slurm), and only its owner may read it.
      writeFileSync(
        file(JOB_FILES.script),
        jobScript({
          what: `eval "${spec.name}" of ${label}`,
          folder,
          checkout: request.checkout,
          command: phaseCommand(request),
          inherited,
          env: assigned,
          sandbox: this.config.sandbox,
          workspaceRoot: this.git.root,
          private: [this.jobsRoot, this.worktrees.root],
          readOnly: [...this.config.shared.map((entry) => path.join(this.git.root, entry)), ...outputs.readOnly],
          ...gateway?.script,
          binds: [...outputs.binds, ...(gateway?.script?.binds ?? [])],
        }),
        { mode: 0o700 },
      );
      if (signal.aborted) return { ...nothing(0), aborted: true };
      const job = await submitJob(
        this.slurm.submit,
        [
          `--job-name=${name}`,
          ...(this.slurm.partition !== undefined ? [`--partition=${this.slurm.partition}`] : []),
          `--time=${Math.ceil(timeLimitMs(request) / 60_000)}`,
          `--output=${file(JOB_FILES.slurmOutput)}`,
          `--chdir=${folder}`,
          exportOption(inherited),
          ...this.slurm.sbatchArgs,
        ],
        file(JOB_FILES.script),
        file(JOB_FILES.messages),
        `eval "${spec.name}" of ${label}`,
        signal,
      );
      if (!job) return { ...nothing(0), aborted: true };
      const { id } = job;
      const untrack = track(id, name);
      try {
        const clock: { startedAt?: number } = {};
        const ending = await this.follow(job, name, folder, request, clock);
        await gone(job);
        return this.collect(id, name, ending, folder, request, Date.now() - (clock.startedAt ?? Date.now()));
      } finally {
        untrack();
      }
    } finally {
      try {
        rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // A shared filesystem may hold a file open a moment longer; drain() and the next run remove what is left.
      }
    }
  }

  /** Waits for the job's end, enforcing the eval's timeout from when it started; cancels it on a stop or a timeout. */
  private async follow(job: SubmittedJob, name: string, folder: string, request: EvalRequest, clock: { startedAt?: number }): Promise<Ending> {
    const { id } = job;
    const has = (f: string): boolean => existsSync(path.join(folder, f));
    const timeoutMs = timeLimitMs(request);
    let nextAsk = Date.now() + ASK_MS;
    // srun exits with its job: Slurm is asked at once rather than at the next second.
    let srunGone = false;
    void job.srunExit?.then(() => (srunGone = true));
    for (;;) {
      if (request.signal.aborted) {
        await end(job);
        return { kind: 'aborted' };
      }
      const now = Date.now();
      if (clock.startedAt === undefined && has(JOB_FILES.started)) clock.startedAt = now;
      if (has(JOB_FILES.done)) return { kind: 'done' };
      if (clock.startedAt !== undefined && now - clock.startedAt >= timeoutMs) {
        await end(job);
        return { kind: 'timedOut' };
      }
      if (now >= nextAsk || srunGone) {
        nextAsk = now + ASK_MS;
        const state = await jobState(id);
        if (!state || isTerminal(state.state)) {
          // When the script ended by itself, the folder may show it a little after Slurm does; a job Slurm ended has no end to wait for.
          const byItself = !state || state.state === 'COMPLETED' || state.state === 'FAILED';
          if (await appears(path.join(folder, JOB_FILES.done), byItself ? FILES_GRACE_MS : 0)) return { kind: 'done' };
          return { kind: 'ended', state: state?.state ?? 'UNKNOWN' };
        }
        if (state.state === 'RUNNING') clock.startedAt ??= now;
        if (state.state === 'PENDING') await this.checkWaiting(job, name, state);
      }
      await pause(POLL_MS, request.signal);
    }
  }

  /** A job that will never start stops the run (after it is cancelled), since every other job would wait the same. */
  private async checkWaiting(job: SubmittedJob, name: string, state: JobState): Promise<void> {
    const { id } = job;
    const never = NEVER_STARTS.find(([pattern]) => pattern.test(state.reason));
    let problem = never ? `Slurm will never start job ${id} (${name}) as asked: it waits with reason ${state.reason}; ${never[1]}` : undefined;
    if (!problem && NODES_UNAVAILABLE.test(state.reason)) {
      const partition = state.partition || this.slurm.partition;
      const states = await nodeStates(partition);
      if (!states.some(isUsable)) problem = `${noNodes(partition, states)} (job ${id}, ${name}, waits with reason: ${state.reason})`;
    }
    if (!problem) return;
    await end(job);
    throw runtimeError(problem);
  }

  /** What the job left, as the outcome of one run; a problem of the cluster rather than the candidate throws. */
  private collect(id: string, name: string, ending: Ending, folder: string, request: EvalRequest, durationMs: number): EvalRun {
    const read = (f: string): string | undefined => readTextIfExists(path.join(folder, f));
    const slurmSaid = [read(JOB_FILES.slurmOutput), launcherSaid(read(JOB_FILES.messages) ?? '')].map((t) => t?.trim() ?? '').filter(Boolean).join('\n');
    const refused = read(JOB_FILES.refused);
    if (refused) throw runtimeError(`${refused.trim()} (job ${id}, ${name})`);
    const node = read(JOB_FILES.started)?.trim();
    // Which job, and where: what a person asks first of an eval that failed on a cluster.
    const graded = `\n[aiai: ${name} ran as Slurm job ${id}${node ? ` on node ${node}` : ', which never began on a node'}]\n`;
    const log = (read(JOB_FILES.log) ?? '') + graded + (slurmSaid ? `[aiai: Slurm's messages for job ${id}]\n${slurmSaid}\n` : '');
    writeFileSync(request.logFile, log);
    const result: EvalRun = {
      ...nothing(durationMs),
      logTail: log.slice(-LOG_TAIL),
      stdoutTail: read(JOB_FILES.stdout) ?? '',
      written: readResult(request, path.join(folder, JOB_FILES.scratch)),
      tooManyProcesses: existsSync(path.join(folder, JOB_FILES.tooMany)),
    };
    if (ending.kind === 'aborted') return { ...result, aborted: true };
    if (ending.kind === 'timedOut') return { ...result, timedOut: true };
    if (ending.kind === 'done') return { ...result, ...exitOf(read(JOB_FILES.exit)) };
    return { ...result, ...this.killed(id, name, ending.state, read(JOB_FILES.started) !== undefined, slurmSaid) };
  }

  /** A job Slurm ended before its script did: the candidate's doing (time, memory), or the cluster's (which throws). */
  private killed(id: string, name: string, state: string, started: boolean, slurmSaid: string): Partial<EvalRun> {
    const said = slurmSaid ? `; Slurm said: ${slurmSaid.split('\n').slice(-3).join(' ')}` : '';
    switch (state) {
      case 'TIMEOUT':
        return { timedOut: true, killedBy: `Slurm ended the job at its time limit (--time)${said}` };
      case 'OUT_OF_MEMORY':
        return { killedBy: `Slurm killed the job for using more memory than it was given (set --mem in executor.sbatchArgs)${said}` };
      case 'CANCELLED':
        return { killedBy: `job ${id} was cancelled outside aiai (scancel or an administrator)${said}` };
      case 'DEADLINE':
        return { killedBy: `Slurm ended job ${id} at its deadline${said}` };
      case 'NODE_FAIL':
      case 'BOOT_FAIL':
        throw runtimeError(`the node running job ${id} (${name}) failed (${state}); the run stops so that no candidate is judged by a broken node: run again, with --resume, once the cluster is well${said}`);
      case 'PREEMPTED':
        throw runtimeError(`Slurm preempted job ${id} (${name}); the run stops so that no candidate is judged by a job cut short: choose a partition or QoS without preemption${said}`);
      default:
        if (!started) {
          throw runtimeError(
            `job ${id} (${name}) ended (${state}) before its script began on a node: every node must see executor.sharedDir ${this.slurm.sharedDir} at the same path, with the candidate's checkout in it` +
              (this.slurm.submit === 'srun' ? ', and reach this machine for srun (or set executor.submit to "sbatch")' : '') +
              said,
          );
        }
        return { killedBy: `job ${id} ended (${state}) before the eval finished${said}` };
    }
  }
}

/**
 * The job's environment, by name: what the eval inherits, and the home folder and
 * PATH its script runs with. Slurm adds its own SLURM_* variables; sbatch, a login
 * shell's environment, which the script keeps from the eval.
 */
function exportOption(inherited: string[]): string {
  const names = [...new Set([...inherited, ...['HOME', 'PATH'].filter((name) => process.env[name] !== undefined)])];
  return `--export=${names.join(',') || 'NONE'}`;
}

/** Cancels a job and waits until Slurm has let it go. */
async function end(job: SubmittedJob): Promise<void> {
  await cancel([job.id]);
  await gone(job);
}

/**
 * Waits until Slurm has let a job go, so that its folder and checkout can go and no
 * job of a finished run is left in squeue: srun, if it submitted the job, exits once
 * the job ended, and the node then reports its clean-up (COMPLETING) done.
 */
async function gone(job: SubmittedJob): Promise<void> {
  if (job.srunExit) await pause(CANCEL_WAIT_MS, abortedBy(job.srunExit));
  if (await leaves(job.id)) return;
  // Still held after its end: its srun was killed (an allocation outlives it), or Slurm lags. Let it go.
  await cancel([job.id]);
  await leaves(job.id);
}

/** Whether Slurm says the job ended within CANCEL_WAIT_MS. */
async function leaves(id: string): Promise<boolean> {
  const deadline = Date.now() + CANCEL_WAIT_MS;
  for (;;) {
    const state = await jobState(id);
    if (!state || isTerminal(state.state)) return true;
    if (Date.now() > deadline) return false;
    await pause(POLL_MS);
  }
}

/**
 * The jobs of this process that run or wait. Whatever way this process exits (a
 * second Ctrl-C, a crash) cancels them; only kill -9 escapes, and the ledger covers that.
 */
const inFlight = new Set<string>();
let cancelsOnExit = false;

function track(id: string, name: string): () => void {
  if (!cancelsOnExit) {
    cancelsOnExit = true;
    process.once('exit', () => {
      if (inFlight.size > 0) spawnSync('scancel', [...inFlight]);
    });
  }
  const ledger = currentLedger();
  inFlight.add(id);
  ledger?.jobSubmitted(id, name);
  return () => {
    inFlight.delete(id);
    ledger?.jobEnded(id);
  };
}

/** Why aiai cannot keep its files under sharedDir (making `jobsRoot` there), or undefined when it can. */
function unwritable(sharedDir: string, jobsRoot: string): string | undefined {
  if (!statSync(sharedDir, { throwIfNoEntry: false })?.isDirectory()) {
    return `executor.sharedDir ${sharedDir} is not a folder on this machine: it must be a shared filesystem mounted at the same path here and on every node`;
  }
  try {
    // A level at a time: a recursive mkdir never returns under some special filesystems (/proc).
    for (let dir = sharedDir; dir !== jobsRoot; ) {
      dir = path.join(dir, path.relative(dir, jobsRoot).split(path.sep)[0]!);
      if (!existsSync(dir)) mkdirSync(dir);
    }
    writeFileSync(path.join(jobsRoot, '.writable'), '');
    rmSync(path.join(jobsRoot, '.writable'));
    return undefined;
  } catch (error) {
    return `executor.sharedDir ${sharedDir} is not writable from this machine: ${(error as Error).message}`;
  }
}

function noNodes(partition: string | undefined, states: string[]): string {
  const which = partition !== undefined ? `partition "${partition}"` : 'the default partition';
  const seen = [...new Set(states)].join(', ') || 'no nodes';
  return `no node of ${which} can run jobs (sinfo: ${seen}); bring a node back (scontrol update nodename=NODE state=resume) or choose another executor.partition`;
}

/** The exit status the script wrote: a shell's 128+n is death by signal n. */
function exitOf(text: string | undefined): Pick<EvalRun, 'exitCode' | 'signal'> {
  const code = Number(text?.trim());
  if (text === undefined || !Number.isInteger(code)) return { exitCode: null, signal: null };
  const signal = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0] as NodeJS.Signals | undefined;
  return code > 128 && signal ? { exitCode: null, signal } : { exitCode: code, signal: null };
}

function nothing(durationMs: number): EvalRun {
  return { exitCode: null, signal: null, timedOut: false, aborted: false, tooManyProcesses: false, durationMs, stdoutTail: '', logTail: '', written: undefined };
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Whether `file` shows up within `ms`. */
async function appears(file: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > deadline) return false;
    await pause(POLL_MS);
  }
  return true;
}
