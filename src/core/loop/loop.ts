import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { loadConfig, type Config } from '../config/config';
import { audit } from '../record/audit';
import { applyEdits } from '../propose/edits';
import { runtimeError } from '../common/errors';
import { Evaluator, Interrupted } from '../grade/evaluator';
import { CANDIDATE_REFS, Git } from '../git/git';
import { guardEdits } from './guard';
import { formatNumber } from '../../shared/format';
import { gain, isImprovement, metricDeltas } from '../grade/metrics';
import { evalCaseChanges, evalDeltas, isOverfit, noiseOf, objectiveValue, trainMetrics } from '../grade/grading';
import { LOOP_ACTOR, toAttempt } from '../propose/attempts';
import { pathPolicy } from '../config/pathPolicy';
import type { Attempt, Proposal, Proposer } from '../propose/proposer';
import { chooseProposer } from '../propose/proposerChoice';
import { recover } from './recovery';
import { selectParent, type ParentNode } from './parentSelection';
import { seededRandom } from '../common/random';
import { isolationFor, type Isolation } from '../grade/sandbox';
import { acquireRunLock } from './runLock';
import { Store, type CandidateRecord, type EvalOutcome, type Evaluation, type Flag, type RunRecord } from '../record/store';
import { addUsage, NO_USAGE, totalInput, type Usage } from '../../shared/usage';
import { Worktrees } from '../git/worktrees';

/** Consecutive proposer failures (timeouts, dropped connections) after which the loop pauses. */
const PROPOSER_ERRORS_BEFORE_PAUSE = 3;

export type LoopEvent =
  | { type: 'notice'; message: string }
  | { type: 'baseline'; evaluation: Evaluation; objectiveValue: number }
  | { type: 'candidate'; index: number; total: number; candidate: CandidateRecord }
  | { type: 'stopped'; reason: string };

export interface LoopOptions {
  iterations?: number;
  parallel?: number;
  signal: AbortSignal;
  onEvent?(event: LoopEvent): void;
  /** Replaces the proposer the config chooses (tests, other front ends). */
  proposer?: Proposer;
  env?: NodeJS.ProcessEnv;
}

export interface RunSummary {
  run: RunRecord;
  candidates: CandidateRecord[];
  /** The best candidate awaiting review, if any. */
  best?: CandidateRecord;
}

interface Parent {
  id: string | null;
  commit: string;
  evaluation: Evaluation;
  objectiveValue: number;
}

/**
 * The improvement loop: evaluate the baseline, then propose, guard, build and grade
 * candidates. It writes only refs under refs/aiai/ and records under .aiai/runs;
 * the developer's branch, index and working tree are never touched here.
 */
export async function runLoop(workspace: string, options: LoopOptions): Promise<RunSummary> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const store = new Store(git.root);
  const release = acquireRunLock(git.root);
  try {
    const emit = options.onEvent ?? (() => {});
    const worktrees = await Worktrees.for(git);
    const cleaned = await recover(git, store, worktrees);
    if (cleaned) emit({ type: 'notice', message: cleaned });
    const { isolation, refusal } = isolationFor(config.sandbox);
    if (refusal) throw runtimeError(refusal);
    if (isolation.kind === 'none') emit({ type: 'notice', message: `isolation is off (${isolation.why}): evaluations run with time and memory limits only` });
    const chosen = options.proposer ? { proposer: options.proposer } : await chooseProposer(config, options.env ?? process.env);
    if (chosen.notice) emit({ type: 'notice', message: chosen.notice });
    try {
      return await new Loop(config, git, store, worktrees, isolation, chosen.proposer, options, emit).run();
    } finally {
      await worktrees.drain();
    }
  } finally {
    release();
  }
}

class Loop {
  private readonly policy;
  private readonly evaluator: Evaluator;
  private readonly iterations: number;
  private readonly parallel: number;
  private readonly candidates: CandidateRecord[] = [];
  private readonly inFlight = new Map<string, Attempt>();
  private started = 0;
  private readonly random: () => number;
  /** Candidate ids by commit, to count in-flight children by parent. */
  private readonly commitIds = new Map<string, string>();
  /** Change keys of the candidates tried on this run's base, to refuse duplicates before evaluating them. */
  private readonly changes = new Map<string, string>();
  /** Evaluations of this run by tree: a candidate with the same content is not evaluated again. */
  private readonly evaluations = new Map<string, { id: string; evaluation: Evaluation }>();
  private proposerErrors = 0;
  private failed = false;
  /** The most one proposal has cost so far: the estimate for the next. */
  private dearestCall: Usage = NO_USAGE;
  private sinceImprovement = 0;
  private stopReason: string | undefined;
  private baseline!: Parent;
  private record!: RunRecord;

  constructor(
    private readonly config: Config,
    private readonly git: Git,
    private readonly store: Store,
    worktrees: Worktrees,
    private readonly isolation: Isolation,
    private readonly proposer: Proposer,
    private readonly options: LoopOptions,
    private readonly emit: (event: LoopEvent) => void,
  ) {
    this.policy = pathPolicy(config);
    this.evaluator = new Evaluator(git, config, worktrees, this.policy, isolation);
    this.iterations = options.iterations ?? config.budget.iterations;
    this.parallel = Math.max(1, Math.min(options.parallel ?? config.parallel, this.iterations));
    this.random = seededRandom(config.proposer.seed ?? Date.now());
  }

  async run(): Promise<RunSummary> {
    const base = await this.git.head();
    const branch = await this.git.currentBranch();
    this.record = {
      id: this.store.newRunId(),
      pid: process.pid,
      startedAt: new Date().toISOString(),
      state: 'running',
      base,
      ...(branch ? { branch } : {}),
      proposer: this.proposer.name,
      isolation: this.isolation.kind,
      iterations: this.iterations,
      parallel: this.parallel,
      savings: { reusedEvaluations: 0, duplicates: 0, skippedEvals: 0, skippedEvalMs: 0 },
      evalsKey: evalsKey(this.config),
    };
    this.store.saveRun(this.record);
    for (const c of this.store.candidates()) if (c.changeKey) this.changes.set(c.changeKey, c.id);
    try {
      await this.evaluateBaseline(base);
      // Every worker finishes its candidate before the run ends, even when another failed.
      const workers = await Promise.allSettled(Array.from({ length: this.parallel }, () => this.worker()));
      const failure = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
      if (failure) throw failure.reason;
      const interrupted = this.options.signal.aborted;
      this.finish(interrupted ? 'interrupted' : 'finished', interrupted ? 'stopped by the user' : this.stopReason ?? `ran ${this.iterations} iterations`);
    } catch (error) {
      if (error instanceof Interrupted) {
        this.finish('interrupted', 'stopped by the user');
      } else {
        this.finish('failed', undefined, (error as Error).message);
        throw error;
      }
    }
    const pending = this.candidates.filter((c) => c.status === 'pending' && c.objective);
    const best = pending.sort((a, b) => gain(this.config.objective, a.objective!.value, b.objective!.value))[pending.length - 1];
    return { run: this.record, candidates: this.candidates, ...(best ? { best } : {}) };
  }

  private finish(state: RunRecord['state'], stopReason: string | undefined, error?: string): void {
    this.record = {
      ...this.record,
      state,
      finishedAt: new Date().toISOString(),
      ...(stopReason ? { stopReason } : {}),
      ...(error ? { error } : {}),
    };
    this.store.saveRun(this.record);
    if (stopReason) this.emit({ type: 'stopped', reason: stopReason });
  }

  private async evaluateBaseline(base: string): Promise<void> {
    // The same version under the same evals was measured by an earlier run: not again.
    const earlier = this.store
      .runs()
      .reverse()
      .find((r) => r.id !== this.record.id && r.base === base && r.evalsKey === this.record.evalsKey && r.baseline?.ok);
    if (earlier) {
      this.record.savings.reusedEvaluations++;
      this.emit({ type: 'notice', message: `the current version was evaluated by run ${earlier.id} under the same evals; its results are reused` });
    }
    const evaluation =
      earlier?.baseline ??
      (await this.evaluator.evaluate({
        commit: base,
        label: 'baseline',
        base,
        logDir: this.store.logDir(this.record.id),
        signal: this.options.signal,
        runHoldout: () => true,
      }));
    this.record = { ...this.record, baseline: evaluation };
    this.store.saveRun(this.record);
    if (!evaluation.ok) {
      const failed = evaluation.evals.find((e) => e.status !== 'passed');
      throw runtimeError(
        `the baseline evaluation failed, so there is nothing to improve on: ${evaluation.reason}` +
          (failed ? `\nlog ${failed.logFile}, last lines:\n${lastLines(failed.logTail, 15)}` : ''),
      );
    }
    const value = objectiveValue(this.config.objective, evaluation);
    if (value === undefined) {
      const reported = Object.keys(evaluation.evals.find((e) => e.name === this.config.objective.eval)?.metrics ?? {});
      throw runtimeError(
        `eval "${this.config.objective.eval}" reported no "${this.config.objective.metric}" metric ` +
          `(it reported: ${reported.join(', ') || 'nothing'}); fix "objective.metric" in .aiai/config.json or the eval`,
      );
    }
    this.baseline = { id: null, commit: base, evaluation, objectiveValue: value };
    this.emit({ type: 'baseline', evaluation, objectiveValue: value });
  }

  private async worker(): Promise<void> {
    while (!this.failed && !this.stopReason && !this.options.signal.aborted && this.started < this.iterations) {
      const index = ++this.started;
      let candidate: CandidateRecord | undefined;
      try {
        candidate = await this.iterate();
      } catch (error) {
        this.failed = true; // the other workers start nothing new
        throw error;
      }
      if (!candidate) continue;
      this.candidates.push(candidate);
      this.emit({ type: 'candidate', index, total: this.iterations, candidate });
      this.sinceImprovement = candidate.status === 'pending' ? 0 : this.sinceImprovement + 1;
      const patience = this.config.budget.patience;
      if (patience !== undefined && this.sinceImprovement >= patience && !this.stopReason) {
        this.stopReason = `no improvement in ${patience} candidates in a row (patience)`;
      }
    }
  }

  /** One candidate from proposal to record; undefined when it was discarded by a stop. */
  private async iterate(): Promise<CandidateRecord | undefined> {
    const overBudget = this.budgetProblem();
    if (overBudget) {
      this.stopReason ??= overBudget;
      return undefined;
    }
    const parent = this.chooseParent();
    this.commitIds.set(parent.commit, parent.id ?? '');
    const id = this.store.newCandidateId();
    const started = Date.now();
    const outcome = await this.proposer.propose({
      objective: this.config.objective,
      parent: { id: parent.id, commit: parent.commit, metrics: trainMetrics(parent.evaluation), objectiveValue: parent.objectiveValue },
      base: this.record.base,
      history: [...this.history(), ...this.inFlight.values()],
      readFile: (commit, file) => this.git.readFile(commit, file),
      listFiles: async (commit) => (await this.git.lsTree(commit)).map((e) => e.path),
      diff: (from, to) => this.git.diff(from, to),
      signal: this.options.signal,
    });
    for (const notice of outcome.notices ?? []) this.emit({ type: 'notice', message: notice });
    if (outcome.usage) this.spend(outcome.usage);
    if (this.options.signal.aborted) return undefined;
    if (outcome.kind === 'exhausted') {
      this.stopReason ??= outcome.reason;
      return undefined;
    }
    const draft: CandidateRecord = {
      ...this.draft(id, parent, outcome.kind === 'proposal' ? outcome.proposal : undefined),
      ...(outcome.usage ? { usage: outcome.usage } : {}),
      ...(outcome.leftOut?.length ? { leftOut: outcome.leftOut } : {}),
    };
    this.proposerErrors = outcome.kind === 'error' ? this.proposerErrors + 1 : 0;
    if (outcome.kind === 'error') {
      if (this.proposerErrors >= PROPOSER_ERRORS_BEFORE_PAUSE) {
        this.stopReason ??= `paused: the proposer failed ${this.proposerErrors} times in a row (last: ${outcome.reason}); every record is kept, start the loop again when it can be reached`;
      }
      return this.close(draft, started, 'failed', `proposer-error: ${outcome.reason}`);
    }
    if (outcome.kind === 'invalid') return this.close(draft, started, 'failed', `invalid-proposal: ${outcome.reason}`);

    // Symbolic links on the edited paths, in the parent (paths the guard refuses anyway are not looked up).
    const lookable = draft.edits.map((e) => e.path).filter((p) => typeof p === 'string' && p !== '' && !path.isAbsolute(p) && !/\0|\\/.test(p) && !p.split('/').includes('..'));
    const prefixes = [...new Set(lookable.flatMap((p) => p.split('/').map((_, i, all) => all.slice(0, i + 1).join('/'))))];
    const symlinks = new Set((await this.git.lsTree(parent.commit, prefixes, false)).filter((e) => e.mode === '120000').map((e) => e.path));
    const verdict = guardEdits(draft.edits, this.policy, this.git.root, symlinks);
    if (!verdict.ok) return this.close(draft, started, 'refused', verdict.reason);

    const applied = await applyEdits(draft.edits, (file) => this.git.readFile(parent.commit, file));
    if (!applied.ok) return this.close(draft, started, 'failed', `invalid-proposal: ${applied.reason}`);

    const tree = await this.git.buildTree(parent.commit, applied.changes);
    const commit = await this.git.commitTree(tree, [parent.commit], `aiai candidate ${id}: ${draft.title}\n\n${draft.rationale}`);
    const changeKey = await this.changeKeyOf(parent.commit, commit);
    const earlier = this.changes.get(changeKey);
    if (earlier) {
      this.record.savings.duplicates++;
      return this.close({ ...draft, changeKey, flags: ['duplicate'] }, started, 'rejected', `duplicate: the same change as candidate ${earlier}, not evaluated again`);
    }
    this.changes.set(changeKey, id);
    const ref = `${CANDIDATE_REFS}/${id}`;
    // The ref and the diff for review are written while the candidate is evaluated.
    const refWritten = this.git.updateRef(ref, commit);
    const diff = this.git.diff(this.record.base, commit);
    const built: CandidateRecord = {
      ...draft,
      commit,
      contentHash: tree,
      changeKey,
      changedPaths: await this.git.changedPaths(this.record.base, commit),
      diff: '',
    };
    this.inFlight.set(id, { ...toAttempt(built, this.config.objective), outcome: 'evaluating' });
    try {
      const runHoldout = (trainSide: EvalOutcome[]): boolean => {
        const value = objectiveValue(this.config.objective, { evals: trainSide });
        return value !== undefined && isImprovement(this.config.objective, value, parent.objectiveValue);
      };
      const cached = this.cachedEvaluation(tree, runHoldout);
      const evaluation =
        cached?.evaluation ??
        (await this.evaluator.evaluate({
          commit,
          label: id,
          base: this.record.base,
          changedPaths: built.changedPaths,
          logDir: this.store.logDir(this.record.id),
          signal: this.options.signal,
          runHoldout,
        }));
      if (cached) this.record.savings.reusedEvaluations++;
      else this.evaluations.set(tree, { id, evaluation });
      this.countSkipped(evaluation);
      await refWritten;
      return this.grade({ ...built, diff: await diff, evaluation, ...(cached ? { evaluatedAs: cached.id } : {}) }, parent, started);
    } catch (error) {
      await Promise.allSettled([refWritten, diff]);
      if (error instanceof Interrupted) {
        await this.git.deleteRef(ref);
        return undefined;
      }
      throw error;
    } finally {
      this.inFlight.delete(id);
    }
  }

  /**
   * The parent-to-candidate change with whitespace and positions left out, on this
   * run's base version: equal for the same change to the same version (on another
   * version, with other evals, the same change may fare differently).
   */
  private async changeKeyOf(parent: string, commit: string): Promise<string> {
    const diff = await this.git.raw(['diff', '-U0', '-w', '--no-color', '--no-ext-diff', '--no-renames', parent, commit]);
    const meaningful = diff
      .split('\n')
      .filter((l) => !l.startsWith('index ') && !l.startsWith('@@') && !l.startsWith('diff --git'))
      .map((l) => l.replace(/\s+/g, ' ').trim());
    return createHash('sha256').update(`${this.record.base}\n${meaningful.join('\n')}`).digest('hex');
  }

  /**
   * An evaluation of the same tree made earlier in this run, unless this candidate
   * would need the holdout evals that one did not run.
   */
  private cachedEvaluation(tree: string, runHoldout: (trainSide: EvalOutcome[]) => boolean): { id: string; evaluation: Evaluation } | undefined {
    const hit = this.evaluations.get(tree);
    if (!hit) return undefined;
    const hasHoldout = hit.evaluation.evals.some((e) => e.holdout);
    const wantsHoldout = this.config.evals.some((e) => e.holdout) && hit.evaluation.ok && runHoldout(hit.evaluation.evals.filter((e) => !e.holdout));
    return wantsHoldout && !hasHoldout ? undefined : hit;
  }

  /** What the cascade spared: the evals a candidate did not need, at the baseline's durations. */
  private countSkipped(evaluation: Evaluation): void {
    for (const spec of this.config.evals) {
      if (evaluation.evals.some((e) => e.name === spec.name)) continue;
      this.record.savings.skippedEvals++;
      this.record.savings.skippedEvalMs += this.baseline.evaluation.evals.find((e) => e.name === spec.name)?.durationMs ?? 0;
    }
  }

  private draft(id: string, parent: Parent, proposal: Proposal | undefined): CandidateRecord {
    return {
      id,
      runId: this.record.id,
      createdAt: new Date().toISOString(),
      status: 'failed',
      flags: [],
      title: proposal?.title ?? '(no proposal)',
      rationale: proposal?.rationale ?? '',
      proposer: this.proposer.name,
      parent: { id: parent.id, commit: parent.commit },
      base: this.record.base,
      edits: proposal?.edits ?? [],
      changedPaths: [],
      diff: '',
      deltas: { vsParent: {}, vsCurrent: {} },
      cases: {},
      durationMs: 0,
    };
  }

  private close(candidate: CandidateRecord, started: number, status: CandidateRecord['status'], reason?: string): CandidateRecord {
    const closed: CandidateRecord = {
      ...candidate,
      status,
      ...(reason ? { reason } : {}),
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
    };
    if (status === 'rejected' && reason) closed.decision = { at: closed.finishedAt!, by: LOOP_ACTOR, reason };
    this.store.saveCandidate(closed);
    this.auditCandidate(closed);
    return closed;
  }

  private auditCandidate(c: CandidateRecord): void {
    const by = `${LOOP_ACTOR} (${this.proposer.name})`;
    const about = { candidate: c.id, ...(c.contentHash ? { contentHash: c.contentHash } : {}) };
    audit(this.git.root, { event: 'proposal', by, ...about, detail: c.title });
    if (c.status === 'refused') audit(this.git.root, { event: 'refusal', by: 'aiai guard', ...about, detail: c.reason ?? '' });
    if (c.evaluation) audit(this.git.root, { event: 'evaluation', by: 'aiai evaluator', ...about, detail: `${c.status}${c.reason ? `: ${c.reason}` : ''}` });
    for (const flag of c.flags) audit(this.git.root, { event: 'flag', by: 'aiai evaluator', ...about, detail: flag });
    if (c.status === 'rejected') audit(this.git.root, { event: 'rejection', by: LOOP_ACTOR, ...about, detail: c.reason ?? '' });
  }

  /** Compares an evaluated candidate with its parent and the current version, and decides its status. */
  private grade(candidate: CandidateRecord, parent: Parent, started: number): CandidateRecord {
    const evaluation = candidate.evaluation!;
    const objective = this.config.objective;
    const graded: CandidateRecord = {
      ...candidate,
      deltas: { vsParent: evalDeltas(evaluation, parent.evaluation), vsCurrent: evalDeltas(evaluation, this.baseline.evaluation) },
      cases: evalCaseChanges(evaluation, parent.evaluation),
    };
    const flags: Flag[] = [];
    if (evaluation.tamperedPaths.length > 0) flags.push('tamper');
    const value = objectiveValue(objective, evaluation);
    if (value !== undefined) {
      graded.objective = {
        metric: objective.metric,
        value,
        parent: parent.objectiveValue,
        current: this.baseline.objectiveValue,
        delta: metricDeltas({ v: value }, { v: parent.objectiveValue }).v!,
        deltaVsCurrent: metricDeltas({ v: value }, { v: this.baseline.objectiveValue }).v!,
        ...noiseOf(objective, evaluation, parent.evaluation),
      };
    }
    if (isOverfit(objective, evaluation, parent.evaluation)) flags.push('overfit');
    graded.flags = flags;

    if (flags.includes('tamper')) {
      return this.close(graded, started, 'failed', `tamper: the evaluation changed protected files (${evaluation.tamperedPaths.join(', ')})`);
    }
    if (!evaluation.ok) return this.close(graded, started, 'failed', evaluation.reason);
    if (value === undefined) {
      return this.close(graded, started, 'failed', `eval "${objective.eval}" reported no "${objective.metric}" metric`);
    }
    if (!isImprovement(objective, value, parent.objectiveValue)) {
      const need = objective.minDelta > 0 ? ` (needs a gain of at least ${objective.minDelta})` : '';
      return this.close(graded, started, 'rejected', `no improvement: ${objective.metric} ${formatNumber(parent.objectiveValue)} → ${formatNumber(value)}${need}`);
    }
    const noise = graded.objective?.noise;
    if (noise !== undefined && gain(objective, value, parent.objectiveValue) <= noise) {
      return this.close(
        graded,
        started,
        'rejected',
        `within the noise: ${objective.metric} ${formatNumber(parent.objectiveValue)} → ${formatNumber(value)}, a gain no larger than twice its standard error (${formatNumber(noise)})`,
      );
    }
    // Built on a weaker version (archive, tree), it must also beat the current one to await review.
    if (!isImprovement(objective, value, this.baseline.objectiveValue)) {
      return this.close(graded, started, 'rejected', `no improvement over the current version: ${objective.metric} ${formatNumber(this.baseline.objectiveValue)} → ${formatNumber(value)}`);
    }
    return this.close(graded, started, 'pending');
  }

  private spend(usage: Usage): void {
    this.record = { ...this.record, usage: addUsage(this.record.usage ?? NO_USAGE, usage) };
    if (usage.costUsd > this.dearestCall.costUsd || totalTokens(usage) > totalTokens(this.dearestCall)) this.dearestCall = usage;
    this.store.saveRun(this.record);
  }

  /** Why the next candidate would break the budget, if it would. */
  private budgetProblem(): string | undefined {
    const spent = this.record.usage ?? NO_USAGE;
    const { maxCostUsd, maxTokens, maxMinutes } = this.config.budget;
    if (maxMinutes !== undefined && Date.now() - Date.parse(this.record.startedAt) > maxMinutes * 60_000) {
      return `time budget: the run has used its ${maxMinutes} minutes`;
    }
    if (maxCostUsd !== undefined && spent.costUsd + this.dearestCall.costUsd > maxCostUsd) {
      return `budget: another proposal would take the cost past $${maxCostUsd} (spent $${spent.costUsd.toFixed(4)})`;
    }
    if (maxTokens !== undefined && totalTokens(spent) + totalTokens(this.dearestCall) > maxTokens) {
      return `budget: another proposal would take the tokens past ${maxTokens} (spent ${totalTokens(spent)})`;
    }
    return undefined;
  }

  /** The best candidate of this run still in play, else the baseline. */
  /**
   * The version to change next, by the search strategy, among the baseline and this
   * run's candidates that may be built on: those awaiting review (greedy), and also
   * those that evaluated cleanly without improving (archive, tree).
   */
  private chooseParent(): Parent {
    const strategy = this.config.search.strategy;
    const nodes: Array<Parent & ParentNode> = [{ ...this.baseline, parentId: null }];
    for (const c of this.candidates) {
      if (!c.objective || !c.evaluation?.ok || !c.commit || c.flags.length > 0) continue;
      const buildable = c.status === 'pending' || (strategy !== 'greedy' && c.status === 'rejected' && c.decision?.by === LOOP_ACTOR);
      if (buildable) nodes.push({ id: c.id, parentId: c.parent.id, commit: c.commit, evaluation: c.evaluation, objectiveValue: c.objective.value });
    }
    const children = new Map<string, number>();
    for (const c of [...this.candidates, ...this.inFlight.values()]) {
      const parentId = 'parent' in c ? (c.parent.id ?? '') : (this.commitIds.get(c.parentCommit) ?? '');
      children.set(parentId, (children.get(parentId) ?? 0) + 1);
    }
    return selectParent(strategy, nodes, children, this.config.objective, this.random);
  }

  /** Every earlier attempt in this workspace, as a proposer may see it. */
  private history(): Attempt[] {
    return this.store.candidates().map((c) => toAttempt(c, this.config.objective));
  }
}

/** What decides an evaluation's results besides the tree: the eval commands and the sandbox. */
function evalsKey(config: Config): string {
  return createHash('sha256').update(JSON.stringify({ evals: config.evals, sandbox: config.sandbox, shared: config.shared })).digest('hex');
}

function totalTokens(u: Usage): number {
  return totalInput(u) + u.outputTokens;
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
