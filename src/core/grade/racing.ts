import { createHash } from 'node:crypto';
import type { Objective } from '../config/config';
import { MODEL_METRIC_PREFIX } from '../gateway/evalMeter';
import { round } from '../common/numbers';
import { caseMetrics } from './caseSplit';
import type { EvalOutcome, Evaluation } from './evaluation';
import type { CaseResult, Metrics } from './metrics';
import type { RaceTally } from '../../shared/race';
import { DEFAULT_ERROR_RATE, DEFAULT_FUTILITY, type RaceCase, type RaceRule } from './race';

/* What the evaluator needs to race an eval: its cases as the race reads them, the contract of $AIAI_CASES_FILE, and one outcome of many batches. */

/** The race's rule for an objective: its minDelta, at the stated error rate. */
export function raceRule(objective: Objective): RaceRule {
  return { minDelta: objective.minDelta, errorRate: DEFAULT_ERROR_RATE, futility: DEFAULT_FUTILITY };
}

/** A case as the race compares it: the value the objective averages (a pass, or the case's score). */
export function raceCase(c: CaseResult, objective: Objective): RaceCase {
  const value = objective.metric === 'score' && c.score !== undefined ? c.score : c.passed ? 1 : 0;
  return { id: c.id, passed: c.passed, value, ...(c.group !== undefined ? { group: c.group } : {}) };
}

/** Whether the parent's outcome can be raced against: cases, each with an id a line of $AIAI_CASES_FILE can hold. */
export function raceable(parent: EvalOutcome | undefined): parent is EvalOutcome {
  return parent !== undefined && parent.status === 'passed' && parent.cases.length > 0 && parent.cases.every((c) => c.id !== '' && !/[\r\n]/.test(c.id));
}

/** A candidate's shuffle of its parent's cases: fixed for the candidate, so a race's order depends on nothing it runs. */
export function raceSeed(label: string): number {
  return Number.parseInt(createHash('sha256').update(label).digest('hex').slice(0, 8), 16);
}

/** Why a batch's report breaks the contract of $AIAI_CASES_FILE: cases it was not asked for, or asked cases it left out. */
export function casesContractProblem(asked: readonly string[], reported: readonly CaseResult[]): string | undefined {
  const wanted = new Set(asked);
  const got = new Set(reported.map((c) => c.id));
  const extra = [...got].filter((id) => !wanted.has(id));
  const missing = asked.filter((id) => !got.has(id));
  if (extra.length === 0 && missing.length === 0) return undefined;
  const some = (ids: string[]): string => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? `, and ${ids.length - 5} more` : ''}`;
  const said = [extra.length > 0 ? `reported ${extra.length} case(s) it was not asked for (${some(extra)})` : '', missing.length > 0 ? `left out ${missing.length} case(s) it was asked for (${some(missing)})` : '']
    .filter(Boolean)
    .join(' and ');
  return `the eval races ("race": true) but ${said}: it must run exactly the case ids that $AIAI_CASES_FILE lists, one a line, and report those`;
}

/**
 * The outcome of a race's batches as one eval's: every case run, the metrics of
 * those cases (as a split's view computes them), the model gateway's metrics of every
 * batch together, the time of them all, and the last batch's log.
 */
export function mergedBatches(batches: readonly EvalOutcome[]): EvalOutcome {
  const last = batches[batches.length - 1]!;
  const cases = batches.flatMap((b) => b.cases);
  return {
    ...last,
    cases,
    metrics: { ...caseMetrics(cases), ...modelMetrics(batches.map((b) => b.metrics)) },
    durationMs: batches.reduce((n, b) => n + b.durationMs, 0),
  };
}

/** The gateway's metrics of several runs as one: totals, and the latency's mean weighted by calls. */
function modelMetrics(runs: Metrics[]): Metrics {
  const merged: Metrics = {};
  const calls = runs.reduce((n, m) => n + (m['model.calls'] ?? 0), 0);
  for (const m of runs) {
    for (const [name, value] of Object.entries(m)) {
      if (!name.startsWith(MODEL_METRIC_PREFIX)) continue;
      const add = name.endsWith('latency_ms') ? (calls > 0 ? (value * (m['model.calls'] ?? 0)) / calls : 0) : value;
      merged[name] = round((merged[name] ?? 0) + add);
    }
  }
  return merged;
}

/**
 * What a candidate's races ran and spared against its parent's grading: the cases not
 * run, priced at the parent's model spend per case on the same eval.
 */
export function raceTally(evaluation: Pick<Evaluation, 'evals'>, parent: Pick<Evaluation, 'evals'>): RaceTally | undefined {
  const raced = evaluation.evals.filter((e) => e.raced);
  if (raced.length === 0) return undefined;
  const tally: RaceTally = { candidates: 1, stopped: raced.some((e) => e.status === 'raced-out') ? 1 : 0, cases: 0, of: 0, sparedCostUsd: 0, sparedCalls: 0 };
  for (const e of raced) {
    const { cases, of } = e.raced!;
    const before = parent.evals.find((p) => p.name === e.name)?.metrics ?? {};
    const unrun = (of - cases) / of;
    tally.cases += cases;
    tally.of += of;
    tally.sparedCostUsd += (before['model.cost_usd'] ?? 0) * unrun;
    tally.sparedCalls += Math.round((before['model.calls'] ?? 0) * unrun);
  }
  return tally;
}
