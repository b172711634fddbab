import type { Config } from '../config/config';
import { seededRandom } from '../common/random';
import { CaseHistory } from '../grade/caseHistory';
import { gain } from '../grade/metrics';
import { toAttempt } from './attempts';
import type { Attempt } from '../propose/proposer';
import type { Store } from '../record/store';
import { LOOP_ACTOR, mayBeBest, type CandidateRecord } from '../record/records';
import { summarize, type CandidateSummary } from '../record/summary';
import type { Parent } from './context';
import { selectParent, type ParentNode } from './parentSelection';

/**
 * The versions of a run: the baseline, the candidates it finished and those still
 * being evaluated. It picks the parent of the next candidate by the search strategy
 * and tells a proposer what was tried.
 */
export class Population {
  /** This run's candidates, in the order they finished. */
  readonly finished: CandidateRecord[] = [];
  private readonly evaluating = new Map<string, Attempt>();
  private readonly attempts = new WeakMap<CandidateSummary, Attempt>();
  /** Candidate ids by commit (null for the baseline), to count in-flight children by parent. */
  private readonly idsByCommit = new Map<string, string | null>();
  private readonly random: () => number;
  /** Every grading of this run's versions, and of the archive's, case by case: what a race orders its cases by. */
  readonly cases = new CaseHistory();

  /**
   * `archive`: candidates made before this run started on the same version and
   * evals (a resumed run's own, or earlier runs'), which it may build on.
   */
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    readonly baseline: Parent,
    private readonly archive: readonly CandidateRecord[] = [],
  ) {
    this.random = seededRandom(config.proposer.seed ?? Date.now());
    this.idsByCommit.set(baseline.commit, null);
    this.cases.add(baseline.evaluation);
    for (const c of archive) this.remember(c);
  }

  add(candidate: CandidateRecord): void {
    this.finished.push(candidate);
    this.remember(candidate);
  }

  /** A grading reused from another candidate (`evaluatedAs`) is that one's, counted once. */
  private remember(candidate: CandidateRecord): void {
    if (!candidate.evaluatedAs) this.cases.add(candidate.evaluation);
  }

  /** Marks a built candidate as being evaluated, so proposers see it and parent selection counts it. */
  startEvaluating(candidate: CandidateRecord): void {
    this.evaluating.set(candidate.id, { ...toAttempt(summarize(candidate), this.config.objective), outcome: 'evaluating' });
  }

  stopEvaluating(id: string): void {
    this.evaluating.delete(id);
  }

  /** Every earlier attempt in this workspace as a proposer may see it, then those being evaluated. */
  history(): Attempt[] {
    return [...this.store.summaries().summaries.map((c) => this.attemptOf(c)), ...this.evaluating.values()];
  }

  /** The store hands back the same summary objects while their records are unchanged: each is turned into an attempt once. */
  private attemptOf(summary: CandidateSummary): Attempt {
    let attempt = this.attempts.get(summary);
    if (!attempt) this.attempts.set(summary, (attempt = toAttempt(summary, this.config.objective)));
    return attempt;
  }

  /**
   * The version to change next, among the baseline and this run's candidates that may
   * be built on: those awaiting review (greedy), and also those that evaluated cleanly
   * without improving (archive, tree).
   */
  chooseParent(): Parent {
    const strategy = this.config.search.strategy;
    const nodes: Array<Parent & ParentNode> = [{ ...this.baseline, parentId: null }];
    for (const c of [...this.archive, ...this.finished]) {
      if (!c.objective || !c.evaluation?.ok || !c.commit || c.flags.length > 0) continue;
      const buildable = c.status === 'pending' || (strategy !== 'greedy' && c.status === 'rejected' && c.decision?.by === LOOP_ACTOR);
      if (buildable) nodes.push({ id: c.id, parentId: c.parent.id, commit: c.commit, evaluation: c.evaluation, objectiveValue: c.objective.value });
    }
    const children = new Map<string | null, number>();
    const count = (parentId: string | null): void => void children.set(parentId, (children.get(parentId) ?? 0) + 1);
    for (const c of [...this.archive, ...this.finished]) count(c.parent.id);
    for (const a of this.evaluating.values()) count(this.idsByCommit.get(a.parentCommit) ?? null);
    const parent = selectParent(strategy, nodes, children, this.config.objective, this.random);
    this.idsByCommit.set(parent.commit, parent.id);
    return parent;
  }

  /** The best candidate of the run awaiting review, if any; one flagged `overfit` or `tamper` never is. */
  best(): CandidateRecord | undefined {
    let best: { candidate: CandidateRecord; value: number } | undefined;
    for (const c of this.finished) {
      if (c.status !== 'pending' || !c.objective || !mayBeBest(c)) continue;
      if (!best || gain(this.config.objective, c.objective.value, best.value) >= 0) best = { candidate: c, value: c.objective.value };
    }
    return best?.candidate;
  }
}
