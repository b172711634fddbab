import type { Evidence, Metrics } from './metrics';

/** A case as a report gives it, before the metrics contract bounds it. */
export interface ReportCase extends Evidence {
  id: string;
  passed: boolean;
  score?: number;
}

/** What an eval's metrics file holds: a report of another format is read into this shape. */
export interface MetricsFile {
  metrics: Metrics;
  cases: ReportCase[];
  feedback?: string;
}

/** Two cases of one id (a runner that repeats a test) keep both: the second is `id#2`. */
export function uniqueId(id: string, seen: Map<string, number>): string {
  const n = (seen.get(id) ?? 0) + 1;
  seen.set(id, n);
  return n === 1 ? id : `${id}#${n}`;
}
