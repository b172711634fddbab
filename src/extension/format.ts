import { formatNumber, formatSigned } from '../shared/format';
import type { CandidateRecord } from '../core/record/records';
import type { Version } from '../core/review/versions';

/** "accuracy +0.062", the objective's change against the parent (of a record or a summary). */
export function candidateDelta(c: { objective?: Pick<NonNullable<CandidateRecord['objective']>, 'metric' | 'delta'> }): string {
  if (!c.objective) return '';
  return `${c.objective.metric} ${formatSigned(c.objective.delta)}`;
}

export function versionMetric(v: Version, metric: string): string {
  const value = v.metrics?.[metric];
  return value === undefined ? 'not measured' : `${metric} ${formatNumber(value)}`;
}

export function shortDate(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}
