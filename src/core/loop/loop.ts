import { loadConfig, type Config } from '../config/config';
import { pathPolicy } from '../config/pathPolicy';
import { EXCLUDED } from '../config/written';
import { runtimeError } from '../common/errors';
import { Evaluator, Interrupted } from '../grade/evaluator';
import { openGateway } from '../gateway/gatewayChoice';
import type { ModelGateway } from '../gateway/gateway';
import { chooseExecutor } from '../grade/executorChoice';
import { withheldNames } from '../config/evalEnvironment';
import { withLedger } from '../grade/ledger';
import { isolationFor, type Isolation } from '../grade/sandbox';
import { Git } from '../git/git';
import { Worktrees } from '../git/worktrees';
import { reflectedAttempts } from './attempts';
import type { Proposer } from '../propose/proposer';
import { LESSONS_FILE, lessonsAsWritten, PROPOSED_LESSONS_FILE, readLessons, writeLessons } from '../record/lessons';
import { ParameterSearch } from '../propose/parameterSearch';
import { chooseProposer } from '../propose/proposerChoice';
import { Store } from '../record/store';
import type { CandidateRecord, RunRecord } from '../record/records';
import { evaluateBaseline, evalsKey } from './baseline';
import { Budget } from './budget';
import { Drafts } from './drafts';
import type { Emit, LoopEvent, PersonCandidate } from './context';
import { Pipeline } from './pipeline';
import { preflight } from './preflight';
import { Population } from './population';
import { Recorder } from './recorder';
import { baselineOf } from './resume';
import { planRun, type RunPlan } from './runPlan';
import { recover } from './recovery';
import { Reuse } from './reuse';
import { acquireRunLock } from './runLock';
import { RunState } from './runState';
import { Scheduler } from './scheduler';

export type { LoopEvent, PersonCandidate } from './context';

export interface LoopOptions {
  iterations?: number;
  /** Replaces budget.patience for this run (`aiai run --patience`). */
  patience?: number;
  parallel?: number;
  signal: AbortSignal;
  onEvent?(event: LoopEvent): void;
  /** Continue the last run that a stop or a crash ended (`aiai run --resume`). */
  resume?: boolean;
  /** Build on the candidates of earlier runs on the same version and evals (`aiai run --from-archive`). */
  fromArchive?: boolean;
  /** Replaces the proposer the config chooses (tests, other front ends). */
  proposer?: Proposer;
  /**
   * Grades one candidate a person made, which `proposer` proposes, instead of a
   * search: one iteration, no resume, no archive (loop/personCandidate.ts).
   */
  person?: PersonCandidate;
  env?: NodeJS.ProcessEnv;
}

export interface RunSummary {
  run: RunRecord;
  candidates: CandidateRecord[];
  /** The best candidate awaiting review, if any. */
  best?: CandidateRecord;
}

/**
 * The improvement loop: evaluate the baseline, then propose, guard, build and grade
 * candidates. It writes only refs under refs/aiai/ and records under .aiai/runs;
 * the developer's branch, index and working tree are never touched here.
 */
export async function runLoop(workspace: string, options: LoopOptions): Promise<RunSummary> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const store = new Store(git.root, { forRun: true });
  await git.excludeLocally(EXCLUDED);
  const lock = acquireRunLock(git.root);
  try {
    const emit: Emit = options.onEvent ?? (() => {});
    if (lock.endedGroups > 0) emit({ type: 'notice', message: `ended ${lock.endedGroups} evaluation process group(s) that an earlier run left running` });
    if (lock.cancelledJobs > 0) emit({ type: 'notice', message: `cancelled ${lock.cancelledJobs} Slurm job(s) that an earlier run left` });
    if (lock.jobsProblem) emit({ type: 'notice', message: lock.jobsProblem });
    const worktrees = await Worktrees.for(git);
    const cleaned = await recover(git, store, worktrees, lock.deadHolder);
    if (cleaned) emit({ type: 'notice', message: cleaned });
    const { isolation, refusal } = isolationFor(config.sandbox);
    if (refusal) throw runtimeError(refusal);
    if (isolation.kind === 'none') {
      emit({ type: 'notice', message: `isolation is off (${isolation.why}): evaluations run with time and memory limits only, and can read this process's files and environment, keys included` });
    }
    // Evals inherit from this process's environment, whatever env the run was given for its proposer.
    const withheld = withheldNames(process.env, config.sandbox.env);
    if (withheld.length > 0) emit({ type: 'notice', message: `evaluations do not see ${withheld.length} variable(s) of this environment: ${withheld.join(', ')} (name them in sandbox.env to pass them)`, quiet: true });
    const chosen = options.proposer ? { proposer: options.proposer } : await chooseProposer(config, options.env ?? process.env);
    if (chosen.notice) emit({ type: 'notice', message: chosen.notice });
    const head = await git.head();
    for (const warning of await preflight(config, git, head, chosen.proposer instanceof ParameterSearch)) emit({ type: 'notice', message: warning });
    const executor = await chooseExecutor(config, git, worktrees, isolation);
    const gateway = await openGateway(config, options.env ?? process.env);
    if (gateway.remoteProblem) emit({ type: 'notice', message: gateway.remoteProblem });
    try {
      const evaluator = new Evaluator(git, config, executor, pathPolicy(config), gateway);
      return await withLedger(lock.ledger, () => run({ config, git, store, isolation, proposer: chosen.proposer, evaluator, gateway, head }, options, emit));
    } finally {
      try {
        await executor.drain();
      } finally {
        await gateway.close();
      }
    }
  } finally {
    lock.release();
  }
}

interface Setup {
  config: Config;
  git: Git;
  store: Store;
  isolation: Isolation;
  proposer: Proposer;
  evaluator: Evaluator;
  gateway: ModelGateway;
  /** The version the run changes. */
  head: string;
}

/** One run, recorded from start to end whatever stops it. */
async function run(setup: Setup, options: LoopOptions, emit: Emit): Promise<RunSummary> {
  const { config, git, store, proposer, head } = setup;
  const key = evalsKey(config);
  const plan = planRun(options, config, store, head, key);
  const { resumed, iterations, parallel, archive } = plan;
  const branch = await git.currentBranch();
  const state = new RunState(
    store,
    resumed
      ? { ...withoutEnd(resumed), state: 'running', pid: process.pid, resumedAt: new Date().toISOString(), iterations, parallel, proposer: proposer.name }
      : {
          id: store.newRunId(),
          pid: process.pid,
          startedAt: new Date().toISOString(),
          state: 'running',
          base: head,
          ...(branch ? { branch } : {}),
          proposer: proposer.name,
          isolation: setup.isolation.kind,
          iterations,
          parallel,
          savings: { reusedEvaluations: 0, duplicates: 0, skippedEvals: 0, skippedEvalMs: 0 },
          evalsKey: key,
          ...(plan.proposing.oneCandidate ? { person: true as const } : {}),
        },
  );
  if (resumed) emit({ type: 'notice', message: `resuming run ${resumed.id}: ${archive.length} of its ${iterations} candidates were made, ${Math.max(0, iterations - archive.length)} are left` });
  else if (plan.fromArchive) emit({ type: 'notice', message: `building on an archive of ${archive.length} candidate(s) of earlier runs on this version` });
  const { gateway } = setup;
  gateway.meterFor(state.record.id, state.record.evalUsage, (evalUsage) => state.update({ evalUsage }));
  // Calls of an eval that was killed are metered after it ended: the run's total counts them too.
  const finish = (how: RunRecord['state'], stopReason: string | undefined, error?: string): void => {
    if (gateway.spent.calls > 0) state.update({ evalUsage: gateway.spent });
    finishRun(state, emit, how, stopReason, error);
  };
  let population: Population | undefined;
  try {
    const baseline = (resumed && baselineOf(resumed, config)) || (await evaluateBaseline(config, store, setup.evaluator, state, options.signal, emit));
    // What the base version's own evaluation shows is no leak, whether it was graded now or earlier.
    await setup.evaluator.trust(baseline.commit, baseline.evaluation);
    population = new Population(config, store, baseline, archive);
    const budget = new Budget(config.budget, state, () => setup.gateway.budgetProblem());
    const stopReason = await schedule(setup, state, population, budget, resumed ? archive.length : 0, plan, options.signal, emit);
    if (!options.signal.aborted) await rewriteLessons(setup, state, population, budget, options.signal, emit);
    const interrupted = options.signal.aborted;
    finish(interrupted ? 'interrupted' : 'finished', interrupted ? 'stopped by the user' : (stopReason ?? `ran ${iterations} iterations`));
  } catch (error) {
    if (!(error instanceof Interrupted)) {
      finish('failed', undefined, (error as Error).message);
      throw error;
    }
    finish('interrupted', 'stopped by the user');
  }
  const best = population?.best();
  return { run: state.record, candidates: population?.finished ?? [], ...(best ? { best } : {}) };
}

/** Runs the candidates of the run through the pipeline; returns why they stopped early, if they did. */
function schedule(setup: Setup, state: RunState, population: Population, budget: Budget, done: number, { proposing, patience }: RunPlan, signal: AbortSignal, emit: Emit): Promise<string | undefined> {
  const { config, git, store, proposer } = setup;
  const { iterations, parallel } = state.record;
  const pipeline = new Pipeline({
    ...setup,
    policy: pathPolicy(config),
    run: state,
    baseline: population.baseline,
    population,
    budget,
    drafts: new Drafts(git, setup.evaluator, store, state),
    reuse: new Reuse(git, config, state, store),
    recorder: new Recorder(store, state, proposer.name, proposing.by),
    signal,
    emit,
    proposing,
  });
  return new Scheduler(pipeline, budget, {
    iterations,
    done,
    parallel,
    patience,
    signal,
    onCandidate: (index, candidate) => {
      population.add(candidate);
      emit({ type: 'candidate', index, total: iterations, candidate });
    },
  }).run();
}

/**
 * After a run of a proposer that learns, one call rewrites `.aiai/lessons.md` from
 * the current lessons (a person's edits included) and the run's train-side attempts.
 */
async function rewriteLessons(setup: Setup, state: RunState, population: Population, budget: Budget, signal: AbortSignal, emit: Emit): Promise<void> {
  const { proposer, config, git } = setup;
  if (!proposer.reflect || population.finished.length === 0) return;
  // A run stopped by its time budget still learns from what it did; only money and tokens hold the call back.
  const overBudget = budget.spendingProblem();
  if (overBudget) {
    emit({ type: 'notice', message: `the lessons were not rewritten: ${overBudget}` });
    return;
  }
  const before = lessonsAsWritten(git.root);
  const written = await proposer.reflect({
    objective: config.objective,
    lessons: readLessons(git.root) ?? '',
    attempts: await reflectedAttempts(population.finished, config.objective, git),
    signal,
  });
  if (!written) {
    emit({ type: 'notice', message: 'the lessons were not rewritten: the model call failed; the earlier lessons stand' });
    return;
  }
  if (written.usage) {
    budget.spend(written.usage);
    state.update({ lessonsUsage: written.usage });
  }
  if (!writeLessons(git.root, written.lessons, before)) {
    emit({ type: 'notice', message: `${LESSONS_FILE} changed while the lessons were rewritten: your edit is kept, and the new lessons are in ${PROPOSED_LESSONS_FILE} to merge by hand` });
    return;
  }
  emit({ type: 'notice', message: `rewrote ${LESSONS_FILE} from this run's ${population.finished.length} attempt(s)` });
}

/** A run record without what its end wrote, to run on. */
function withoutEnd(run: RunRecord): RunRecord {
  const { finishedAt: _finished, stopReason: _stop, error: _error, ...rest } = run;
  return rest;
}

function finishRun(state: RunState, emit: Emit, how: RunRecord['state'], stopReason: string | undefined, error?: string): void {
  state.finish(how, stopReason, error);
  if (stopReason) emit({ type: 'stopped', reason: stopReason });
}
