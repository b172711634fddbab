import type { Config } from '../config/config';
import type { PathPolicy } from '../config/pathPolicy';
import { Interrupted, type Evaluator } from '../grade/evaluator';
import type { EvalOutcome } from '../grade/evaluation';
import { objectiveValue, standardError, trainFailures, trainFeedback, trainMetrics, trainPasses } from '../grade/grading';
import { isImprovement } from '../grade/metrics';
import { racedOut, verdict } from '../grade/verdict';
import { raceTally } from '../grade/racing';
import { CANDIDATE_REFS, type Git } from '../git/git';
import { applyEdits, type Edit } from '../propose/edits';
import type { Proposer } from '../propose/proposer';
import { readLessons } from '../record/lessons';
import type { Store } from '../record/store';
import type { CandidateRecord } from '../record/records';
import type { Budget } from './budget';
import type { Emit, Parent } from './context';
import type { Drafts } from './drafts';
import { guardOnCommit } from './guard';
import type { Population } from './population';
import type { Recorder } from './recorder';
import type { Reuse } from './reuse';
import type { ProposerPolicy } from './runPlan';
import type { RunState } from './runState';

/** What one pass through the pipeline came to. */
export type Step =
  | { kind: 'candidate'; candidate: CandidateRecord; proposerFailure?: string }
  /** The proposer has nothing new to offer. */
  | { kind: 'exhausted'; reason: string }
  /** A stop came first: nothing is recorded. */
  | { kind: 'discarded' };

export interface PipelineParts {
  config: Config;
  git: Git;
  store: Store;
  policy: PathPolicy;
  proposer: Proposer;
  evaluator: Evaluator;
  run: RunState;
  baseline: Parent;
  population: Population;
  reuse: Reuse;
  recorder: Recorder;
  budget: Budget;
  drafts: Drafts;
  signal: AbortSignal;
  emit: Emit;
  /** What follows from who proposes: the parent, duplicates, the verdict's last word. */
  proposing: ProposerPolicy;
}

/**
 * The way of one candidate: propose, guard, build, grade, record. Each step may end
 * it with a record that says why (refused, failed, rejected); only a candidate that
 * beats its parent and the current version comes out `pending`, or a person's that
 * was built and evaluated cleanly, whatever its delta.
 */
export class Pipeline {
  constructor(private readonly p: PipelineParts) {}

  async next(): Promise<Step> {
    const { population, proposer, recorder, signal } = this.p;
    const { proposing } = this.p;
    const parent = proposing.parent ?? population.chooseParent();
    const id = this.p.store.newCandidateId();
    const started = Date.now();
    const lessons = readLessons(this.p.git.root);
    const outcome = await proposer.propose({
      objective: this.p.config.objective,
      parent: {
        id: parent.id,
        commit: parent.commit,
        metrics: trainMetrics(parent.evaluation),
        objectiveValue: parent.objectiveValue,
        ...standardError(this.p.config.objective, parent.evaluation),
        failures: trainFailures(parent.evaluation),
        passes: trainPasses(parent.evaluation),
        feedback: trainFeedback(parent.evaluation),
      },
      base: this.p.run.record.base,
      history: population.history(),
      ...(lessons ? { lessons } : {}),
      readFile: (commit, file) => this.p.git.readFile(commit, file),
      listFiles: async (commit) => (await this.p.git.lsTree(commit)).map((e) => e.path),
      diff: (from, to) => this.p.git.diff(from, to),
      guard: (edits) => this.guard(edits, parent),
      evaluateDraft: (edits) => this.p.drafts.evaluate(parent, id, edits, signal),
      signal,
    });
    for (const notice of outcome.notices ?? []) this.p.emit({ type: 'notice', message: notice });
    if (outcome.usage) this.p.budget.spend(outcome.usage);
    if (signal.aborted) return { kind: 'discarded' };
    if (outcome.kind === 'exhausted') return { kind: 'exhausted', reason: outcome.reason };
    const draft: CandidateRecord = {
      ...recorder.draft(id, parent, outcome.kind === 'proposal' ? outcome.proposal : undefined),
      ...(outcome.usage ? { usage: outcome.usage } : {}),
      ...(outcome.leftOut?.length ? { leftOut: outcome.leftOut } : {}),
      ...(outcome.model ? { model: outcome.model } : {}),
      ...(outcome.conversation?.length ? { conversation: outcome.conversation } : {}),
      ...(proposing.derivedFrom ? { derivedFrom: proposing.derivedFrom } : {}),
    };
    const closed = (status: CandidateRecord['status'], reason?: string, candidate = draft): Step & { kind: 'candidate' } => ({
      kind: 'candidate',
      candidate: recorder.close(candidate, started, status, reason),
    });
    if (outcome.kind === 'error') return { ...closed('failed', `proposer-error: ${outcome.reason}`), proposerFailure: outcome.reason };
    if (outcome.kind === 'invalid') return closed('failed', `invalid-proposal: ${outcome.reason}`);

    const refusal = await this.guard(draft.edits, parent);
    if (refusal) return closed('refused', refusal);
    const applied = await applyEdits(draft.edits, (file) => this.p.git.readFile(parent.commit, file));
    if (!applied.ok) return closed('failed', `invalid-proposal: ${applied.reason}`);

    const { git, reuse } = this.p;
    const tree = await git.buildTree(parent.commit, applied.changes);
    const commit = await git.commitTree(tree, [parent.commit], `aiai candidate ${id}: ${draft.title}\n\n${draft.rationale}`);
    const changeKey = await reuse.changeKeyOf(parent.commit, commit);
    const earlier = proposing.refusesDuplicates ? reuse.claim(changeKey, id) : undefined;
    if (earlier) return closed('rejected', `duplicate: the same change as candidate ${earlier}, not evaluated again`, { ...draft, changeKey, flags: ['duplicate'] });
    const built: CandidateRecord = {
      ...draft,
      commit,
      contentHash: tree,
      changeKey,
      changedPaths: await git.changedPaths(this.p.run.record.base, commit),
    };
    const runId = this.p.run.record.id;
    this.p.store.markMaking(runId, id);
    try {
      const graded = await this.grade(built, commit, tree, parent);
      return graded ? { kind: 'candidate', candidate: recorder.close(graded.candidate, started, graded.status, graded.reason) } : { kind: 'discarded' };
    } finally {
      this.p.store.doneMaking(runId, id);
    }
  }

  /** Why the guard refuses the edits, if it does. */
  private async guard(edits: Edit[], parent: Parent): Promise<string | undefined> {
    const result = await guardOnCommit(this.p.git, this.p.policy, parent.commit, edits);
    return result.ok ? undefined : result.reason;
  }

  /**
   * Evaluates a built candidate (or reuses the evaluation of the same content) and
   * takes the grader's verdict; undefined when a stop interrupted it.
   */
  private async grade(built: CandidateRecord, commit: string, tree: string, parent: Parent): Promise<{ candidate: CandidateRecord; status: CandidateRecord['status']; reason?: string } | undefined> {
    const { git, run, reuse, population, config } = this.p;
    const ref = `${CANDIDATE_REFS}/${built.id}`;
    // The ref and the diff for review are written while the candidate is evaluated.
    // Never over another candidate's ref: that one's commit would be lost to git's next gc.
    const refWritten = git.updateRef(ref, commit, 'absent');
    const diff = git.diff(run.record.base, commit);
    // Awaited below; a failure before then is taken there, not left to end the process as an unhandled rejection.
    for (const early of [refWritten, diff]) void early.catch(() => undefined);
    population.startEvaluating(built);
    try {
      const runHoldout = (trainSide: EvalOutcome[]): boolean => {
        const value = objectiveValue(config.objective, { evals: trainSide });
        return value !== undefined && isImprovement(config.objective, value, parent.objectiveValue);
      };
      const cached = reuse.cached(tree, runHoldout);
      const evaluation =
        cached?.evaluation ??
        (await this.p.evaluator.evaluate({
          commit,
          label: built.id,
          base: run.record.base,
          changedPaths: built.changedPaths,
          logDir: this.p.store.logDir(run.record.id),
          signal: this.p.signal,
          runHoldout,
          raceAgainst: parent.evaluation,
          caseHistory: population.cases,
        }));
      // A race's verdict is against this parent alone: the same change on another parent runs again.
      if (!cached && !racedOut(evaluation)) reuse.remember(tree, built.id, evaluation);
      const raced = cached ? undefined : raceTally(evaluation, parent.evaluation);
      if (raced) run.raced(raced);
      reuse.countSkipped(evaluation, this.p.baseline.evaluation);
      await refWritten;
      const { status: graded, reason, ...grading } = verdict(config.objective, evaluation, parent, this.p.baseline);
      // The grader's words stay as the reason, whatever the policy makes of its status.
      const { status, notImproved } = this.p.proposing.settle(graded);
      const candidate: CandidateRecord = { ...built, ...grading, diff: await diff, evaluation, ...(cached ? { evaluatedAs: cached.id } : {}), ...(notImproved ? { notImproved } : {}) };
      return { candidate, status, ...(reason ? { reason } : {}) };
    } catch (error) {
      await Promise.allSettled([refWritten, diff]);
      if (error instanceof Interrupted) {
        await git.deleteRef(ref);
        return undefined;
      }
      throw error;
    } finally {
      population.stopEvaluating(built.id);
    }
  }
}
