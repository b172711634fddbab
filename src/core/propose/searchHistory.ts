import { gain } from '../grade/metrics';
import { classify, type Outcome } from './evolutionStrategy';
import type { Point } from './knobSpace';
import type { Attempt, ProposalRequest } from './proposer';

/** A point the evals scored: its objective value, as a proposer may see it (train side). */
export interface Observation {
  point: Point;
  value: number;
}

/** What the search learns from a run's attempts. */
export interface Learnt {
  /** The best point so far as far as the evals can tell; undefined before any score is known. */
  incumbent?: Observation;
  /** How each step after the opening design compared with the incumbent of its time. */
  outcomes: Outcome[];
  /** Every point scored, the start included, oldest first. */
  seen: Observation[];
}

/** The attempts of this run's tree: those grown from the version it started on, oldest first. */
export function lineage(request: ProposalRequest): Attempt[] {
  const inTree = new Set([request.base]);
  const out: Attempt[] = [];
  for (const attempt of request.history) {
    if (!inTree.has(attempt.parentCommit)) continue;
    out.push(attempt);
    if (attempt.commit) inTree.add(attempt.commit);
  }
  return out;
}

/**
 * The run's tree replayed as a (1+1)-ES. The incumbent is first the best point of
 * the opening design (the start included); each later step is judged against the
 * incumbent of its time, and replaces it when it beats it by more than
 * `threshold` (the noise, the objective's minimum gain). A step whose eval failed
 * counts as a loss. Replaying the history, rather than keeping state, gives the
 * same search after a resume, and whatever version the loop builds on.
 */
export function replay(request: ProposalRequest, run: Attempt[], points: ReadonlyMap<string, Point>, start: Observation | undefined, design: number, threshold: number): Learnt {
  let incumbent = start;
  const outcomes: Outcome[] = [];
  const seen: Observation[] = start ? [start] : [];
  for (const [i, attempt] of run.entries()) {
    const point = attempt.commit ? points.get(attempt.commit) : undefined;
    if (attempt.objectiveValue === undefined || !point) {
      if (i >= design && attempt.outcome === 'failed') outcomes.push('worse');
      continue;
    }
    const observation = { point, value: attempt.objectiveValue };
    seen.push(observation);
    const outcome = incumbent ? classify(gain(request.objective, observation.value, incumbent.value), i < design ? 0 : threshold) : 'better';
    if (i >= design) outcomes.push(outcome);
    if (outcome === 'better') incumbent = observation;
  }
  return { ...(incumbent ? { incumbent } : {}), outcomes, seen };
}

/** The start's score: the parent's when the loop builds on the start, else what an attempt's change against it says. */
export function startValue(request: ProposalRequest): number | undefined {
  if (request.parent.commit === request.base) return request.parent.objectiveValue;
  const child = request.history.find((a) => a.parentCommit === request.base && a.objectiveValue !== undefined && a.delta !== undefined);
  return child ? child.objectiveValue! - child.delta! : undefined;
}
