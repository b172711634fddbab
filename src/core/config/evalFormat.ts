import * as path from 'node:path';

/** What an eval's command writes: aiai's metrics file, a JUnit XML report, or a promptfoo results file. */
export type EvalFormat = 'aiai' | 'junit' | 'promptfoo';

/** An eval's report, as its config gives it. */
export interface EvalReport {
  format: EvalFormat;
  /**
   * Where the command writes its report, relative to its checkout (a runner that
   * names its own file); otherwise it writes to $AIAI_REPORT_FILE.
   */
  report?: string;
}

export interface EvalReportProblem {
  /** Where it stands under the eval: ["report"]. */
  location: Array<string | number>;
  message: string;
}

/** What is wrong with an eval's format and report path. */
export function evalReportProblems(spec: EvalReport & { name: string }): EvalReportProblem[] {
  if (spec.report === undefined) return [];
  if (spec.format === 'aiai') {
    return [{ location: ['report'], message: `eval "${spec.name}": "report" names where a "junit" or "promptfoo" report is written, and this eval's format is "aiai" (it writes $AIAI_METRICS_FILE); set "format"` }];
  }
  const segments = spec.report.split(/[\\/]/);
  // The report is read from the eval's checkout after it exits: a path out of it would have aiai read a file no eval may show.
  if (path.isAbsolute(spec.report) || path.win32.isAbsolute(spec.report) || segments.includes('..') || segments[0] === '.git' || path.posix.normalize(spec.report.replace(/\\/g, '/')) === '.') {
    return [{ location: ['report'], message: `eval "${spec.name}": report "${spec.report}" must be a file inside the eval's checkout, given relative to it (not absolute, no "..", not in .git)` }];
  }
  return [];
}
