import { seededRandom } from '../common/random';
import { isImprovement } from './metrics';

/*
 * Racing a candidate against its parent, case by case: after each batch, either the
 * candidate can no longer gain what it must even if every case left goes its way
 * (a certainty), or a sequential sign test says it is worse than the parent (at a
 * stated error rate, spread over the looks), or the cases left would have to go its
 * way far beyond its trend so far (the chance that full grading would take it,
 * predicted). All compare the two pair by pair, on the same cases, which needs far
 * fewer cases than comparing two means: only the cases on which they differ carry news.
 */

/** One case's result: whether it passed, and the value in [0, 1] that the objective averages (1 or 0 for a pass rate; the case's score for a mean score). */
export interface RaceCase {
  id: string;
  passed: boolean;
  value: number;
  group?: string;
}

/** What racing must know of the decision it may cut short. */
export interface RaceRule {
  /** The least gain of the mean case score that counts as an improvement (the objective's minDelta). */
  minDelta: number;
  /**
   * The error rate of the sequential test over the whole race: the chance of stopping a
   * candidate that is, case for case, at least as likely to do better than its parent as worse.
   */
  errorRate: number;
  /**
   * The predicted chance, below which a candidate is stopped, that full grading would
   * still find it gains minDelta. A prediction, not a bound: `npm run bench:race`
   * measures how many of the candidates it stops full grading would have taken.
   */
  futility: number;
}

export const DEFAULT_ERROR_RATE = 0.05;
export const DEFAULT_FUTILITY = 0.03;

export type RaceVerdict =
  | { stop: false }
  | { stop: true; why: 'cannot-gain' | 'worse' | 'unlikely'; message: string };

/**
 * The order in which a candidate runs its parent's cases: a fixed shuffle (by `seed`)
 * within each stratum (pass or fail on the parent, and group), the strata interleaved in
 * proportion, so every batch is a small picture of the whole. With `disagreement` (how
 * much the versions graded so far differed on a case), the cases they differed on most
 * go first, in that order among themselves: only a case on which candidate and parent
 * differ carries news, and those are where they differ. The order is fixed before the
 * candidate runs a case, so the sign test keeps its error rate for a candidate no
 * worse than its parent on the cases run first.
 */
export function raceOrder(cases: readonly RaceCase[], seed: number, disagreement?: (id: string) => number): string[] {
  const random = seededRandom(seed);
  const strata = new Map<string, string[]>();
  for (const c of cases) {
    const key = `${c.passed ? 'pass' : 'fail'}\u0000${c.group ?? ''}`;
    strata.set(key, [...(strata.get(key) ?? []), c.id]);
  }
  const queues = [...strata.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, ids]) => shuffle(ids, random));
  // Each next case comes from the stratum furthest behind its share of the cases taken so far.
  const order: string[] = [];
  const taken = queues.map(() => 0);
  while (order.length < cases.length) {
    let best = -1;
    let bestLag = -Infinity;
    for (const [i, queue] of queues.entries()) {
      if (taken[i]! >= queue.length) continue;
      const lag = (queue.length / cases.length) * (order.length + 1) - taken[i]!;
      if (lag > bestLag) [best, bestLag] = [i, lag];
    }
    order.push(queues[best]![taken[best]!]!);
    taken[best]!++;
  }
  if (!disagreement) return order;
  // Array.prototype.sort is stable: cases alike keep the stratified order.
  return order.map((id) => ({ id, weight: disagreement(id) })).sort((a, b) => b.weight - a.weight).map((c) => c.id);
}

/**
 * Whether to stop racing after the cases run so far. `run` are the candidate's results
 * of the cases run; `parent` has every case. `looks` counts the batches compared so far,
 * this one included: the error rate is spread over them.
 */
export function raceVerdict(parent: readonly RaceCase[], run: readonly RaceCase[], rule: RaceRule, looks: number): RaceVerdict {
  const total = parent.length;
  const before = new Map(parent.map((c) => [c.id, c]));
  const pairs = run.flatMap((c) => {
    const p = before.get(c.id);
    return p ? [{ parent: p, candidate: c }] : [];
  });
  if (pairs.length === 0 || pairs.length >= total) return { stop: false };
  const newlyFailing = pairs.filter((p) => p.parent.passed && !p.candidate.passed).length;
  const newlyPassing = pairs.filter((p) => !p.parent.passed && p.candidate.passed).length;
  const tally = `after ${pairs.length} of ${total} cases: ${newlyFailing} newly failing, ${newlyPassing} newly passing`;

  // The candidate's best mean: every case left scores 1. Gaining what an improvement needs must still be possible.
  // Only values in [0, 1] make that a bound: a score past 1 makes it none.
  const bounded = [...parent, ...run].every((c) => c.value >= 0 && c.value <= 1);
  const parentMean = parent.reduce((sum, c) => sum + c.value, 0) / total;
  const best = (pairs.reduce((sum, p) => sum + p.candidate.value, 0) + (total - pairs.length)) / total;
  if (bounded && !isImprovement({ direction: 'maximize', minDelta: rule.minDelta }, best, parentMean)) {
    return { stop: true, why: 'cannot-gain', message: `raced out ${tally}; it cannot gain ${rule.minDelta > 0 ? rule.minDelta : 'anything'} even if every case left passes` };
  }

  // The sign test: of the cases where the two differ, how unlikely so few went the candidate's way, were it as good.
  const better = pairs.filter((p) => p.candidate.value > p.parent.value).length;
  const worse = pairs.filter((p) => p.candidate.value < p.parent.value).length;
  if (worse > better && atMost(better, better + worse) < lookErrorRate(rule.errorRate, looks)) {
    return { stop: true, why: 'worse', message: `raced out ${tally}; it is worse than its parent (a sign test at ${rule.errorRate * 100}% error)` };
  }

  const differences = pairs.map((p) => p.candidate.value - p.parent.value);
  if (chanceToGain(differences, total, rule.minDelta) < rule.futility) {
    return {
      stop: true,
      why: 'unlikely',
      message: `raced out ${tally}; on its trend so far, the chance that it ends ${rule.minDelta > 0 ? `${rule.minDelta} ` : ''}above its parent over all ${total} cases is under ${rule.futility * 100}%`,
    };
  }
  return { stop: false };
}

/**
 * The least variance a case left is taken to have, of the candidate's difference from
 * its parent: as if it newly passed, or newly failed, one time in twenty each. The
 * cases run first are those the versions disagreed on; the rest hold the cases no
 * version passed yet, which are where a real improvement shows, so a candidate level
 * on the first cases is not taken as sure to stay level on those.
 */
const LEFT_CASE_VARIANCE = 0.1;

/**
 * The predicted chance that the candidate's mean over all `total` cases ends at least
 * `minDelta` above its parent's, given its `differences` (candidate − parent) on the
 * cases run: the cases left are taken to differ as these did (their spread at least
 * LEFT_CASE_VARIANCE's), with the uncertainty of that mean added (a normal predictive
 * distribution of their sum).
 */
export function chanceToGain(differences: readonly number[], total: number, minDelta: number): number {
  const run = differences.length;
  const left = total - run;
  if (run === 0 || left <= 0) return 1;
  const sum = differences.reduce((a, b) => a + b, 0);
  const mean = sum / run;
  const variance = Math.max(differences.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, run - 1), LEFT_CASE_VARIANCE);
  const spread = Math.sqrt(left * variance + (left * left * variance) / run);
  return normalAbove((minDelta * total - sum - left * mean) / spread);
}

/** P(Z > z) for a standard normal Z, by the complementary error function (Numerical Recipes' erfcc: off by under 3e-6 near 0, far less in the tails). */
function normalAbove(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851124 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-x * x + poly);
  return (x >= 0 ? erfc : 2 - erfc) / 2;
}

/** How many cases each batch runs: a tenth of them, at least MIN_BATCH (all of them, when fewer). */
export function batchSize(total: number): number {
  return Math.min(total, Math.max(MIN_BATCH, Math.ceil(total / 10)));
}

const MIN_BATCH = 8;

/** How a race ended: the candidate's results of the cases it ran (every case, unless it was stopped). */
export interface RaceEnd {
  ran: RaceCase[];
  looks: number;
  stopped?: Extract<RaceVerdict, { stop: true }>;
}

/**
 * Races a candidate against its parent: runs the parent's cases in `raceOrder` (the
 * cases versions disagreed on first, given `disagreement`), a batch at a time through
 * `runBatch`, and after each batch asks `raceVerdict` whether to stop. Undefined when a
 * batch did not run (`runBatch` gave undefined; its caller holds why), which ends the
 * race as a failed eval ends a grading.
 */
export async function race(
  parent: readonly RaceCase[],
  seed: number,
  rule: RaceRule,
  runBatch: (ids: string[]) => Promise<RaceCase[] | undefined>,
  disagreement?: (id: string) => number,
): Promise<RaceEnd | undefined> {
  const order = raceOrder(parent, seed, disagreement);
  const size = batchSize(order.length);
  const ran: RaceCase[] = [];
  let looks = 0;
  while (ran.length < order.length) {
    const batch = await runBatch(order.slice(ran.length, ran.length + size));
    if (!batch) return undefined;
    ran.push(...batch);
    looks++;
    const verdict = raceVerdict(parent, ran, rule, looks);
    if (verdict.stop) return { ran, looks, stopped: verdict };
  }
  return { ran, looks };
}

/**
 * The error rate of one look, so that all looks together stay within `errorRate`:
 * δ·6/(π²k²) at the k-th, whose sum over every k is δ.
 */
export function lookErrorRate(errorRate: number, look: number): number {
  return (errorRate * 6) / (Math.PI ** 2 * look ** 2);
}

/** P(X ≤ k) for X ~ Binomial(n, ½): the sign test's p-value, in logs so that large n do not overflow. */
export function atMost(k: number, n: number): number {
  let logTerm = -n * Math.LN2;
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
