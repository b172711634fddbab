import { gain } from '../grade/metrics';
import { classify, type Outcome } from './evolutionStrategy';
import type { Point } from './knobSpace';
import type { Attempt, ProposalRequest } from './proposer';

/** A version the evals scored: its knobs and its objective value, as a proposer may see it (train side). */
export interface Observation {
  point: Point;
  value: number;
}

/** What the search learns from a run's attempts. */
export interface Learnt {
  /** Where the next step starts: the version with the best score so far. */
  centre?: Observation;
  /** How each step after the opening design compared with the centre of its time. */
  outcomes: Outcome[];
  /** Every version scored, the start included, oldest first. */
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
 * The run's tree replayed as a (1+1)-ES. Its centre is the version with the best
 * train score so far, whatever version the loop builds the next candidate on: a
 * weaker version that the archive or tree strategy draws takes the edit, but does
 * not pull the steps back. Each step after the opening design is judged against
 * the centre of its time: `better` when it beats it by more than `threshold` (the
 * noise, the objective's minimum gain), and then it is the centre; `worse` when it
 * falls short by as much or its eval failed (whose score is not to be trusted);
 * `same` in between. Replaying the history, rather than keeping state, gives the
 * same search after a resume.
 */
export function replay(request: ProposalRequest, run: Attempt[], points: ReadonlyMap<string, Point>, start: Observation | undefined, design: number, threshold: number): Learnt {
  let centre = start;
  const seen: Observation[] = start ? [start] : [];
  const outcomes: Outcome[] = [];
  for (const [i, attempt] of run.entries()) {
    const point = attempt.commit ? points.get(attempt.commit) : undefined;
    if (attempt.outcome === 'failed' || attempt.objectiveValue === undefined || !point) {
      if (i >= design && attempt.outcome === 'failed') outcomes.push('worse');
      continue;
    }
    const observation = { point, value: attempt.objectiveValue };
    seen.push(observation);
    // The opening design only looks: its best point is where the steps start.
    const outcome = centre ? classify(gain(request.objective, observation.value, centre.value), i < design ? 0 : threshold) : 'better';
    if (i >= design) outcomes.push(outcome);
    if (outcome === 'better') centre = observation;
  }
  return { ...(centre ? { centre } : {}), outcomes, seen };
}

/** The start's score: the parent's when the loop builds on the start, else what an attempt's change against it says. */
export function startValue(request: ProposalRequest): number | undefined {
  if (request.parent.commit === request.base) return request.parent.objectiveValue;
  const child = request.history.find((a) => a.parentCommit === request.base && a.objectiveValue !== undefined && a.delta !== undefined);
  return child ? child.objectiveValue! - child.delta! : undefined;
}
