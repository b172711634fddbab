import type { Objective } from '../config/config';
import type { EvalOutcome, Evaluation } from './evaluation';
import { caseChanges, gain, metricDeltas, type CaseChanges, type Evidence, type Metrics } from './metrics';
import { round } from '../common/numbers';

/* Comparing an evaluation with its parent's: objective values, deltas, changed cases, flags, noise. */

/**
 * Twice the standard error of the objective's change, when the objective eval was
 * repeated: a gain must exceed it to count.
 */
export function noiseOf(objective: Objective, evaluation: Evaluation, parent: Evaluation): { noise?: number } {
  const mine = evaluation.evals.find((e) => e.name === objective.eval)?.repeated;
  const theirs = parent.evals.find((e) => e.name === objective.eval)?.repeated;
  const sd = mine?.spread[objective.metric];
  const sdParent = theirs?.spread[objective.metric];
  if (!mine || !theirs || sd === undefined || sdParent === undefined) return {};
  return { noise: round(2 * Math.sqrt(sd ** 2 / mine.runs + sdParent ** 2 / theirs.runs)) };
}

/** The standard error of the objective's value (its spread over √runs), when its eval was repeated. */
export function standardError(objective: Objective, evaluation: Pick<Evaluation, 'evals'>): { standardError?: number } {
  const repeated = evaluation.evals.find((e) => e.name === objective.eval)?.repeated;
  const spread = repeated?.spread[objective.metric];
  return repeated && spread !== undefined ? { standardError: round(spread / Math.sqrt(repeated.runs)) } : {};
}

export function objectiveValue(objective: Objective, evaluation: Pick<Evaluation, 'evals'>): number | undefined {
  return evaluation.evals.find((e) => e.name === objective.eval)?.metrics[objective.metric];
}

/** A case of a train-side eval, with the evidence the eval gave. */
export interface TrainCase extends Evidence {
  eval: string;
  id: string;
  score?: number;
  group?: string;
  trace?: string;
}

/** What of an evaluation a proposer may see: train-side evals, none whose output leaked. */
function shownToProposer(evaluation: Pick<Evaluation, 'evals'>): Evaluation['evals'] {
  return evaluation.evals.filter((e) => !e.holdout && !e.leaked);
}

/** Whether a proposer may read an eval's log: not a holdout's, nor one that leaked, nor a split's train view's, which ran the holdout cases too. */
export function proposerReadsLog(outcome: EvalOutcome): boolean {
  return !outcome.holdout && !outcome.leaked && !outcome.ranHoldoutCases;
}

/** The failing cases of the train-side evals; nothing of a holdout eval, nor of an eval that leaked. */
export function trainFailures(evaluation: Pick<Evaluation, 'evals'>): TrainCase[] {
  return trainCases(evaluation, false);
}

/** The passing cases of the train-side evals, set beside the failures for contrast; the same evals as `trainFailures`. */
export function trainPasses(evaluation: Pick<Evaluation, 'evals'>): TrainCase[] {
  return trainCases(evaluation, true);
}

function trainCases(evaluation: Pick<Evaluation, 'evals'>, passed: boolean): TrainCase[] {
  return shownToProposer(evaluation).flatMap((e) => e.cases.filter((c) => c.passed === passed).map(({ passed: _, model: __, ...c }) => ({ eval: e.name, ...c })));
}

/** What each train-side eval that did not leak said about the run as a whole. */
export function trainFeedback(evaluation: Pick<Evaluation, 'evals'>): Record<string, string> {
  return Object.fromEntries(shownToProposer(evaluation).filter((e) => e.feedback).map((e) => [e.name, e.feedback ?? '']));
}

export function trainMetrics(evaluation: Pick<Evaluation, 'evals'>): Record<string, Metrics> {
  return Object.fromEntries(evaluation.evals.filter((e) => !e.holdout).map((e) => [e.name, e.metrics]));
}

export function evalDeltas(evaluation: Evaluation, reference: Evaluation): Record<string, Metrics> {
  const deltas: Record<string, Metrics> = {};
  for (const e of evaluation.evals) {
    const ref = reference.evals.find((r) => r.name === e.name);
    if (ref) deltas[e.name] = metricDeltas(e.metrics, ref.metrics);
  }
  return deltas;
}

export function evalCaseChanges(evaluation: Evaluation, reference: Evaluation): Record<string, CaseChanges> {
  const changes: Record<string, CaseChanges> = {};
  for (const e of evaluation.evals) {
    const ref = reference.evals.find((r) => r.name === e.name);
    if (ref) changes[e.name] = caseChanges(e.cases, ref.cases);
  }
  return changes;
}

/** Better on train, worse on a holdout eval's objective metric. */
export function isOverfit(objective: Objective, evaluation: Evaluation, parent: Evaluation): boolean {
  const trainGain = (() => {
    const value = objectiveValue(objective, evaluation);
    const before = objectiveValue(objective, parent);
    return value !== undefined && before !== undefined ? gain(objective, value, before) : 0;
  })();
  if (trainGain <= 0) return false;
  return evaluation.evals
    .filter((e) => e.holdout && e.status === 'passed')
    .some((e) => {
      const value = e.metrics[objective.metric];
      const before = parent.evals.find((p) => p.name === e.name)?.metrics[objective.metric];
      return value !== undefined && before !== undefined && gain(objective, value, before) < 0;
    });
}
