import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CaseView } from '../config/evals';
import { emptyView, inView } from './caseSplit';
import { uniqueId, type MetricsFile, type ReportCase } from './reportCase';

/** Elements that may repeat; an attribute of the same name (a suite's `skipped` count) stays a value. */
const REPEATED = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped', 'system-out', 'system-err']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && REPEATED.has(name),
});

/** An element as the parser gives it: text alone, or attributes and children. */
type Node = string | Record<string, unknown>;

/**
 * A JUnit XML report (pytest's `--junitxml`, vitest's and jest's junit reporters,
 * go-junit-report) as aiai's metrics file: each graded test case a case, its id
 * `classname::name`; skipped ones counted, not graded. Suites may nest. A split's
 * `view` counts only its own cases, and its time is theirs.
 */
export function junitToMetrics(xml: string, view?: CaseView): MetricsFile | { problem: string } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { problem: `the JUnit report is not well-formed XML (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}` };
  const root = parser.parse(xml) as Record<string, unknown>;
  const top = root.testsuites ?? root.testsuite;
  if (top === undefined) return { problem: 'the JUnit report has neither <testsuites> nor <testsuite> at its root' };
  // <testsuite> may repeat at the root, so it comes as a list; <testsuites> is one.
  const roots = Array.isArray(top) ? (top as Node[]) : [top as Node];
  const testcases = roots.flatMap(casesOf);
  if (testcases.length === 0) return { problem: 'the JUnit report holds no test case: did the test runner find the tests?' };

  const cases: ReportCase[] = [];
  const ids = new Map<string, number>();
  let tests = 0;
  let failed = 0;
  let errors = 0;
  let skipped = 0;
  let caseSeconds = 0;
  for (const tc of testcases) {
    const skip = children(tc, 'skipped').length > 0;
    // A skipped case takes no id of the graded ones, which stay as they are without a split.
    const id = skip ? caseId(tc) : uniqueId(caseId(tc), ids);
    if (view && !inView(view, id)) continue;
    tests++;
    caseSeconds += seconds(attr(tc, 'time')) ?? 0;
    if (skip) {
      skipped++;
      continue;
    }
    const failures = children(tc, 'failure');
    const errs = children(tc, 'error');
    if (failures.length > 0) failed++;
    else if (errs.length > 0) errors++;
    const problems = [...failures, ...errs];
    const feedback = problems.map((p) => [attr(p, 'type'), attr(p, 'message')].filter(Boolean).join(': ')).filter(Boolean).join('\n');
    const output = [...problems.map(text), ...children(tc, 'system-out').map(text), ...children(tc, 'system-err').map(text)].filter((t) => t.trim()).join('\n');
    cases.push({ id, passed: problems.length === 0, ...(feedback ? { feedback } : {}), ...(output ? { output } : {}) });
  }
  const graded = cases.length;
  if (graded === 0) {
    const inReport = testcases.filter((tc) => children(tc, 'skipped').length === 0).length;
    return { problem: view && inReport > 0 ? emptyView(view, inReport) : `every test case of the JUnit report was skipped (${testcases.length - inReport}): there is nothing to grade` };
  }
  const passed = graded - failed - errors;
  return {
    metrics: { pass_rate: passed / graded, passed, failed, errors, skipped, tests, duration_s: view ? caseSeconds : (reportSeconds(roots, root.testsuites !== undefined) ?? caseSeconds) },
    cases,
  };
}

/** The test cases of a suite and of the suites inside it, in document order. */
function casesOf(suite: Node): Node[] {
  return [...children(suite, 'testcase'), ...children(suite, 'testsuite').flatMap(casesOf)];
}

/** `classname::name`, or the file's and the name, or the name alone. */
function caseId(tc: Node): string {
  // jest-junit joins an empty describe title to the test's with a space: " sends refunds to billing".
  const name = attr(tc, 'name').trim() || '(unnamed)';
  const scope = attr(tc, 'classname').trim() || attr(tc, 'file').trim();
  return scope ? `${scope}::${name}` : name;
}

/**
 * The report's own time, when it says (it counts set-up that the cases' times leave
 * out): the root's, or else the sum of its suites' when each says.
 */
function reportSeconds(roots: Node[], wrapped: boolean): number | undefined {
  const suites = wrapped && roots.length === 1 ? [roots[0]!] : roots;
  const own = suites.length === 1 ? seconds(attr(suites[0]!, 'time')) : undefined;
  if (own !== undefined) return own;
  const inner = wrapped ? roots.flatMap((r) => children(r, 'testsuite')) : [];
  const times = inner.map((s) => seconds(attr(s, 'time')));
  return times.length > 0 && times.every((t) => t !== undefined) ? times.reduce((a, b) => a! + b!, 0) : undefined;
}

function seconds(value: string): number | undefined {
  const n = value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function children(node: Node, name: string): Node[] {
  if (typeof node === 'string') return [];
  const value = node[name];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function attr(node: Node, name: string): string {
  if (typeof node === 'string') return '';
  const value = node[name];
  return typeof value === 'string' ? value : '';
}

function text(node: Node): string {
  if (typeof node === 'string') return node;
  const value = node['#text'];
  return typeof value === 'string' ? value : '';
}
