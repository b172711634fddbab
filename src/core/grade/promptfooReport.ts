import type { CaseView } from '../config/evals';
import { emptyView, inView } from './caseSplit';
import { uniqueId, type MetricsFile, type ReportCase } from './reportCase';

/** One row of promptfoo's results: a test, run through one prompt and one provider. */
interface PromptfooResult {
  success?: unknown;
  score?: unknown;
  error?: unknown;
  vars?: unknown;
  cost?: unknown;
  namedScores?: unknown;
  prompt?: { label?: unknown; raw?: unknown };
  provider?: { id?: unknown; label?: unknown } | string;
  response?: { output?: unknown; tokenUsage?: TokenUsage; cost?: unknown } | null;
  gradingResult?: { reason?: unknown; componentResults?: Array<{ pass?: unknown; reason?: unknown }> } | null;
  testCase?: { description?: unknown; vars?: unknown; assert?: unknown };
}

interface TokenUsage {
  total?: unknown;
  prompt?: unknown;
  completion?: unknown;
}

/**
 * promptfoo's results file (`promptfoo eval -o results.json`) as aiai's metrics file:
 * each result (test × prompt × provider) a case, named by the test's description or
 * its variables; its variables the input, the response the output, the assertions
 * what was expected, the grader's reasons the feedback. A split's `view` sums and
 * averages over its own cases alone.
 */
export function promptfooToMetrics(json: string, view?: CaseView): MetricsFile | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return { problem: `the promptfoo results file is not JSON: ${(error as Error).message}` };
  }
  const rows = (parsed as { results?: { results?: unknown } } | null)?.results?.results;
  if (!Array.isArray(rows)) return { problem: 'the promptfoo results file has no results.results list: was it written by `promptfoo eval -o FILE.json`?' };
  // promptfoo 0.118 writes an empty list with --no-write, whatever the suite holds.
  if (rows.length === 0) return { problem: 'the promptfoo results file holds no result: did the suite have tests, and does the command leave out --no-write (with which promptfoo writes none)?' };
  const results = rows as PromptfooResult[];
  // A test's name says which prompt and provider only when there are several of them.
  const several = (key: (r: PromptfooResult) => string): boolean => new Set(results.map(key)).size > 1;
  const byPrompt = several(promptName);
  const byProvider = several(providerName);
  const ids = new Map<string, number>();
  const cases: ReportCase[] = [];
  const named = new Map<string, number[]>();
  let scoreSum = 0;
  let cost = 0;
  const tokens = { total: 0, prompt: 0, completion: 0 };
  for (const r of results) {
    const label = [testName(r), byPrompt ? promptName(r) : '', byProvider ? providerName(r) : ''].filter(Boolean).join(' · ');
    const id = uniqueId(label, ids);
    if (view && !inView(view, id)) continue;
    const score = typeof r.score === 'number' && Number.isFinite(r.score) ? r.score : r.success === true ? 1 : 0;
    scoreSum += score;
    cost += num(r.cost ?? r.response?.cost);
    const usage = r.response?.tokenUsage;
    tokens.total += num(usage?.total);
    tokens.prompt += num(usage?.prompt);
    tokens.completion += num(usage?.completion);
    if (r.namedScores && typeof r.namedScores === 'object') {
      for (const [name, value] of Object.entries(r.namedScores)) if (typeof value === 'number' && Number.isFinite(value)) named.set(name, [...(named.get(name) ?? []), value]);
    }
    const output = r.response?.output;
    const feedback = reasons(r);
    cases.push({
      id,
      passed: r.success === true,
      score,
      ...(r.vars ?? r.testCase?.vars ? { input: JSON.stringify(r.vars ?? r.testCase?.vars) } : {}),
      ...(r.testCase?.assert ? { expected: JSON.stringify(r.testCase.assert) } : {}),
      ...(output !== undefined && output !== null ? { output: typeof output === 'string' ? output : JSON.stringify(output) } : {}),
      ...(feedback ? { feedback } : {}),
    });
  }
  if (view && cases.length === 0) return { problem: emptyView(view, results.length) };
  const passed = cases.filter((c) => c.passed).length;
  return {
    metrics: {
      pass_rate: passed / cases.length,
      passed,
      failed: cases.length - passed,
      score: scoreSum / cases.length,
      ...Object.fromEntries([...named].map(([name, values]) => [`score.${name}`, values.reduce((a, b) => a + b, 0) / values.length])),
      tokens: tokens.total,
      prompt_tokens: tokens.prompt,
      completion_tokens: tokens.completion,
      cost_usd: cost,
    },
    cases,
  };
}

function testName(r: PromptfooResult): string {
  const description = r.testCase?.description;
  if (typeof description === 'string' && description.trim()) return description.trim();
  const vars = r.vars ?? r.testCase?.vars;
  return vars && typeof vars === 'object' && Object.keys(vars).length > 0 ? JSON.stringify(vars) : '(a test without description or variables)';
}

function promptName(r: PromptfooResult): string {
  const { label, raw } = r.prompt ?? {};
  return typeof label === 'string' && label ? label : typeof raw === 'string' ? raw.slice(0, 60) : '';
}

function providerName(r: PromptfooResult): string {
  if (typeof r.provider === 'string') return r.provider;
  const { label, id } = r.provider ?? {};
  return typeof label === 'string' && label ? label : typeof id === 'string' ? id : '';
}

/** The grader's reason, then the reasons of the assertions that failed; an error first of all. */
function reasons(r: PromptfooResult): string {
  const failing = (r.gradingResult?.componentResults ?? []).filter((c) => c.pass === false).map((c) => c.reason);
  const all = [r.error, r.gradingResult?.reason, ...failing].filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  return [...new Set(all)].join('\n');
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
