import type { EvalFormat } from '../config/config';
import type { CaseView } from '../config/evals';
import { metricsFileView } from './caseSplit';
import { junitToMetrics } from './junitReport';
import { metricsOf, parseMetrics, type ParsedMetrics } from './metrics';
import { promptfooToMetrics } from './promptfooReport';

/**
 * An eval's result from what it wrote, in its format: aiai's metrics file (or the
 * last JSON line of stdout), a JUnit XML report or a promptfoo results file. Only a
 * missing or unreadable report fails the eval: a test runner's exit code says
 * that a test failed, which the report already tells case by case. A split eval's
 * `view` keeps the cases it grades, and its metrics are computed from them alone.
 */
export function readReport(format: EvalFormat, report: string | undefined, stdoutTail: string, mustKeep: readonly string[], view?: CaseView): ParsedMetrics {
  if (format === 'aiai') {
    const parsed = parseMetrics(report, stdoutTail, mustKeep);
    return view && parsed.ok ? metricsFileView(parsed, view) : parsed;
  }
  const name = format === 'junit' ? 'JUnit report' : 'promptfoo results file';
  if (report === undefined) return { ok: false, reason: `no ${name} was written: the eval's command must write it to $AIAI_REPORT_FILE (or the eval's "report" path)` };
  if (!report.trim()) return { ok: false, reason: `the ${name} is empty` };
  const read = format === 'junit' ? junitToMetrics(report, view) : promptfooToMetrics(report, view);
  return 'problem' in read ? { ok: false, reason: read.problem } : metricsOf(read, mustKeep);
}
