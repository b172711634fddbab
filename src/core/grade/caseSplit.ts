import { createHash } from 'node:crypto';
import type { CaseView } from '../config/evals';
import type { CaseResult, Metrics, ParsedMetrics } from './metrics';

/**
 * Whether a case falls in a split's holdout: the first 32 bits of the sha256 of its
 * id, as a fraction of 2^32, lie below the holdout fraction. It depends on the id
 * alone, so a case falls the same way on every run and machine, whatever else the
 * report holds.
 */
export function inHoldout(id: string, fraction: number): boolean {
  return Number.parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16) / 2 ** 32 < fraction;
}

/** Whether a view grades the case of this id. */
export function inView(view: CaseView, id: string): boolean {
  return inHoldout(id, view.holdout) === (view.part === 'holdout');
}

/** Why a view grades nothing: the report's `total` graded cases all fell in the other one. */
export function emptyView(view: CaseView, total: number): string {
  return (
    `none of the report's ${total} graded case(s) falls in the ${view.part} view of the split (holdout ${view.holdout} of the cases, by a hash of their ids): ` +
    `the eval needs more cases, or a ${view.part === 'holdout' ? 'larger' : 'smaller'} holdout`
  );
}

/**
 * A view of an aiai metrics file: its cases in the view, and the metrics computed
 * from them (pass_rate, passed, failed, and score, the mean of the cases' scores,
 * when they have any). The file's own metrics and feedback speak of every case, the
 * holdout's too, so no view keeps them.
 */
export function metricsFileView(parsed: Extract<ParsedMetrics, { ok: true }>, view: CaseView): ParsedMetrics {
  if (parsed.cases.length === 0) return { ok: false, reason: 'the metrics file reports no cases, and a split divides its cases: write them under "cases"' };
  const cases = parsed.cases.filter((c) => inView(view, c.id));
  if (cases.length === 0) return { ok: false, reason: emptyView(view, parsed.cases.length) };
  return { ok: true, metrics: caseMetrics(cases), cases, ...(parsed.cut ? { cut: parsed.cut } : {}) };
}

/** The metrics that AIAI_VIEW_METRICS (config/evals.ts) names, of these cases. */
export function caseMetrics(cases: CaseResult[]): Metrics {
  const passed = cases.filter((c) => c.passed).length;
  const scores = cases.flatMap((c) => (c.score === undefined ? [] : [c.score]));
  return {
    pass_rate: passed / cases.length,
    passed,
    failed: cases.length - passed,
    ...(scores.length > 0 ? { score: scores.reduce((a, b) => a + b, 0) / scores.length } : {}),
  };
}
