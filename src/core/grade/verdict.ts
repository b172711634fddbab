import type { Objective } from '../config/config';
import { formatNumber } from '../../shared/format';
import type { ObjectiveChange } from '../../shared/review';
import type { Evaluation } from './evaluation';
import { evalCaseChanges, evalDeltas, isOverfit, noiseOf, objectiveValue } from './grading';
import { gain, isImprovement, type CaseChanges, type Metrics } from './metrics';
import { round } from '../common/numbers';

/* The grader's word on an evaluated candidate: how it compares, and whether it may await review. */

/**
 * What the grader flags on an evaluation: better on train but worse on holdout,
 * protected files changed, or content of files no proposer may see in what it would show one.
 */
export type GradeFlag = 'overfit' | 'tamper' | 'leak';

/** A version already graded: the parent of a candidate, or the current version. */
export interface Standing {
  evaluation: Evaluation;
  objectiveValue: number;
}

export interface Verdict {
  /** `pending` awaits a person's review; the loop rejects what did not improve. */
  status: 'pending' | 'rejected' | 'failed';
  reason?: string;
  flags: GradeFlag[];
  objective?: ObjectiveChange;
  /** Per eval, per metric: candidate − parent, and candidate − current version. */
  deltas: { vsParent: Record<string, Metrics>; vsCurrent: Record<string, Metrics> };
  /** Per eval: cases that newly pass or fail against the parent. */
  cases: Record<string, CaseChanges>;
}

/**
 * Compares an evaluated candidate with its parent and the current version. Only a
 * clean evaluation that beats both, by more than the minimum and the noise, is
 * `pending`; a candidate built on a weaker version (archive, tree) must beat the
 * current one too.
 */
export function verdict(objective: Objective, evaluation: Evaluation, parent: Standing, current: Standing): Verdict {
  const flags: GradeFlag[] = [];
  if (evaluation.tamperedPaths.length > 0) flags.push('tamper');
  if (isOverfit(objective, evaluation, parent.evaluation)) flags.push('overfit');
  // Such an evaluation is not ok (`Evaluator`), so the candidate fails; its reason names the files, never their content.
  if (evaluation.evals.some((e) => e.leaked)) flags.push('leak');
  const value = objectiveValue(objective, evaluation);
  const change: ObjectiveChange | undefined =
    value === undefined
      ? undefined
      : {
          metric: objective.metric,
          value,
          parent: parent.objectiveValue,
          current: current.objectiveValue,
          delta: round(value - parent.objectiveValue),
          deltaVsCurrent: round(value - current.objectiveValue),
          ...noiseOf(objective, evaluation, parent.evaluation),
          ...partialOf(objective, evaluation),
        };
  const graded = {
    flags,
    ...(change ? { objective: change } : {}),
    deltas: { vsParent: evalDeltas(evaluation, parent.evaluation), vsCurrent: evalDeltas(evaluation, current.evaluation) },
    cases: evalCaseChanges(evaluation, parent.evaluation),
  };
  const say = (status: Verdict['status'], reason?: string): Verdict => ({ ...graded, status, ...(reason ? { reason } : {}) });

  if (flags.includes('tamper')) return say('failed', `tamper: the evaluation changed protected files (${evaluation.tamperedPaths.join(', ')})`);
  // A race stopped it as not better than its parent: a loss, not a fault.
  if (racedOut(evaluation)) return say('rejected', evaluation.reason);
  if (!evaluation.ok) return say('failed', evaluation.reason);
  if (!change) return say('failed', `eval "${objective.eval}" reported no "${objective.metric}" metric`);
  const from = `${objective.metric} ${formatNumber(change.parent)} → ${formatNumber(change.value)}`;
  if (!isImprovement(objective, change.value, change.parent)) {
    return say('rejected', `no improvement: ${from}${objective.minDelta > 0 ? ` (needs a gain of at least ${objective.minDelta})` : ''}`);
  }
  if (change.noise !== undefined && gain(objective, change.value, change.parent) <= change.noise) {
    return say('rejected', `within the noise: ${from}, a gain no larger than twice its standard error (${formatNumber(change.noise)})`);
  }
  if (!isImprovement(objective, change.value, change.current)) {
    return say('rejected', `no improvement over the current version: ${objective.metric} ${formatNumber(change.current)} → ${formatNumber(change.value)}`);
  }
  return say('pending');
}

/** Whether a racing eval stopped the candidate before its last case: its metrics are partial. */
export function racedOut(evaluation: Pick<Evaluation, 'evals'>): boolean {
  return evaluation.evals.some((e) => e.status === 'raced-out');
}

/** The objective's eval's share of cases run, when a race stopped it. */
function partialOf(objective: Objective, evaluation: Evaluation): Pick<ObjectiveChange, 'partial'> {
  const e = evaluation.evals.find((o) => o.name === objective.eval);
  return e?.status === 'raced-out' && e.raced ? { partial: e.raced } : {};
}
