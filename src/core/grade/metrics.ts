import type { Objective } from '../config/config';
import { tryParseJson } from '../common/files';
import { capText } from '../common/text';
import type { CaseModelUsage } from '../gateway/evalMeter';
import { round } from '../common/numbers';

export type Metrics = Record<string, number>;

/** What a case's evidence holds, each as text capped at EVIDENCE_CHARS. */
export const EVIDENCE_FIELDS = ['input', 'expected', 'output', 'feedback'] as const;
export type Evidence = Partial<Record<(typeof EVIDENCE_FIELDS)[number], string>>;

export interface CaseResult extends Evidence {
  id: string;
  passed: boolean;
  score?: number;
  /** The eval's own name for the kind of case, by which a proposer sees failures counted. */
  group?: string;
  /** The agent's steps on this case, as the eval wrote them: a proposer reads it on request. */
  trace?: string;
  /** The model calls the eval tagged with this case (header x-aiai-case), metered by the gateway. */
  model?: CaseModelUsage;
}

/** Each piece of evidence is kept to this many characters, in the record and wherever it is shown. */
export const EVIDENCE_CHARS = 2000;
/** A case's group, and its trace, are kept to these many characters. */
export const GROUP_CHARS = 120;
export const TRACE_CHARS = 8000;
/** An eval's own feedback is kept to this many characters. */
export const FEEDBACK_CHARS = 4000;

/** What one eval's record may hold: past these, the rest is cut and the cut is said. */
export const MAX_METRICS = 1000;
export const MAX_CASES = 20_000;
/** All the evidence of one eval's cases together, in characters. */
export const EVIDENCE_BUDGET = 250_000;

export type ParsedMetrics =
  | { ok: true; metrics: Metrics; cases: CaseResult[]; feedback?: string; /** What was left out to keep the record bounded. */ cut?: string }
  | { ok: false; reason: string };

/**
 * The metrics contract: the JSON the eval wrote to AIAI_METRICS_FILE, or else the
 * last line of stdout that is a JSON object of numbers.
 */
export function parseMetrics(metricsFile: string | undefined, stdoutTail: string, mustKeep: readonly string[] = []): ParsedMetrics {
  if (metricsFile !== undefined) return parseMetricsFile(metricsFile, mustKeep);
  const lines = stdoutTail.split('\n').map((l) => l.trim()).filter(Boolean).reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const value = tryParseJson(line);
    if (isNumberRecord(value)) return { ok: true, metrics: value, cases: [] };
  }
  return {
    ok: false,
    reason: 'unparsable output: no metrics file was written and no line of stdout is a JSON object of numbers',
  };
}

function parseMetricsFile(text: string, mustKeep: readonly string[]): ParsedMetrics {
  return metricsOf(tryParseJson(text), mustKeep);
}

/** The metrics file's content once parsed (or a report read into its shape), kept bounded. */
export function metricsOf(value: unknown, mustKeep: readonly string[]): ParsedMetrics {
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'unparsable metrics file: it is not a JSON object' };
  const { metrics, cases = [], feedback } = value as { metrics?: unknown; cases?: unknown; feedback?: unknown };
  if (!isNumberRecord(metrics)) return { ok: false, reason: 'unparsable metrics file: "metrics" must be an object of numbers' };
  if (!Array.isArray(cases)) return { ok: false, reason: 'unparsable metrics file: "cases" must be an array' };
  const parsed: CaseResult[] = [];
  let evidenceLeft = EVIDENCE_BUDGET;
  let withoutEvidence = 0;
  for (const [i, c] of cases.slice(0, MAX_CASES).entries()) {
    const item = c as Record<string, unknown> & { id?: unknown; passed?: unknown; score?: unknown };
    if (typeof item !== 'object' || item === null || (typeof item.id !== 'string' && typeof item.id !== 'number') || typeof item.passed !== 'boolean') {
      return { ok: false, reason: `unparsable metrics file: cases[${i}] needs "id" (string) and "passed" (boolean)` };
    }
    const evidence = { ...evidenceOf(item), ...traceOf(item) };
    const size = Object.values(evidence).reduce((n, v) => n + v.length, 0);
    const keep = size <= evidenceLeft;
    if (keep) evidenceLeft -= size;
    else withoutEvidence++;
    const group = typeof item.group === 'string' || typeof item.group === 'number' ? { group: capText(String(item.group), GROUP_CHARS) } : {};
    parsed.push({ id: String(item.id), passed: item.passed, ...(typeof item.score === 'number' ? { score: item.score } : {}), ...group, ...(keep ? evidence : {}) });
  }
  const kept = keptMetrics(metrics, mustKeep);
  const cut = [
    Object.keys(kept).length < Object.keys(metrics).length ? `kept ${Object.keys(kept).length} of ${Object.keys(metrics).length} metrics` : '',
    cases.length > MAX_CASES ? `kept ${MAX_CASES} of ${cases.length} cases` : '',
    withoutEvidence > 0 ? `the evidence of ${withoutEvidence} case(s) past ${EVIDENCE_BUDGET.toLocaleString('en-US')} characters` : '',
  ].filter(Boolean);
  return {
    ok: true,
    metrics: kept,
    cases: parsed,
    ...(typeof feedback === 'string' && feedback.trim() ? { feedback: capText(feedback, FEEDBACK_CHARS) } : {}),
    ...(cut.length > 0 ? { cut: `cut to keep the record bounded: ${cut.join('; ')}` } : {}),
  };
}

/** The first MAX_METRICS metrics, and always those the config names (the objective, the gates). */
function keptMetrics(metrics: Metrics, mustKeep: readonly string[]): Metrics {
  const names = Object.keys(metrics);
  if (names.length <= MAX_METRICS) return metrics;
  const kept = new Set(mustKeep.filter((n) => n in metrics));
  for (const name of names) {
    if (kept.size >= MAX_METRICS) break;
    kept.add(name);
  }
  return Object.fromEntries([...kept].map((n) => [n, metrics[n] ?? 0]));
}

/** A case's input, expected and actual output (any JSON, as text) and feedback; other keys are ignored. */
function evidenceOf(item: Record<string, unknown>): Evidence {
  const evidence: Evidence = {};
  for (const field of EVIDENCE_FIELDS) {
    const value = item[field];
    if (value === undefined || value === null) continue;
    evidence[field] = capText(typeof value === 'string' ? value : JSON.stringify(value), EVIDENCE_CHARS);
  }
  return evidence;
}

/** The agent's steps: a text, or any JSON (a list of steps) as text. */
function traceOf(item: Record<string, unknown>): { trace?: string } {
  if (item.trace === undefined || item.trace === null) return {};
  return { trace: capText(typeof item.trace === 'string' ? item.trace : JSON.stringify(item.trace, null, 1), TRACE_CHARS) };
}

function isNumberRecord(value: unknown): value is Metrics {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** candidate − reference for every metric both have. */
export function metricDeltas(candidate: Metrics, reference: Metrics): Metrics {
  const deltas: Metrics = {};
  for (const [name, value] of Object.entries(candidate)) {
    const before = reference[name];
    if (before !== undefined) deltas[name] = round(value - before);
  }
  return deltas;
}

export interface CaseChanges {
  newlyPassing: string[];
  newlyFailing: string[];
}

export function caseChanges(candidate: CaseResult[], reference: CaseResult[]): CaseChanges {
  const before = new Map(reference.map((c) => [c.id, c.passed]));
  return {
    newlyPassing: candidate.filter((c) => c.passed && before.get(c.id) === false).map((c) => c.id),
    newlyFailing: candidate.filter((c) => !c.passed && before.get(c.id) === true).map((c) => c.id),
  };
}

/** The signed gain in the objective's direction: positive is better. */
export function gain(objective: Pick<Objective, 'direction'>, value: number, reference: number): number {
  return round(objective.direction === 'maximize' ? value - reference : reference - value);
}

export function isImprovement(objective: Pick<Objective, 'direction' | 'minDelta'>, value: number, reference: number): boolean {
  const g = gain(objective, value, reference);
  return g > 0 && g >= objective.minDelta;
}
