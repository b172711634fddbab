import type { TrainCase } from '../grade/grading';

/* Failing cases counted by how they failed: what a model reads first, as a histogram. */

/** One way of failing, and the cases that fail that way, most common first. */
export interface FailureKind {
  /** Its number in the list, from 1: how `show_failures` names it. */
  number: number;
  eval: string;
  /** In a few words: the eval's own group, expected → got, or the feedback's first line. */
  label: string;
  cases: TrainCase[];
}

/** Past this many kinds, expected → got is coarsened to the expected value alone, or to what it got. */
const KINDS_BEFORE_COARSENING = 12;
const SHORT_CHARS = 60;

/**
 * The failures by kind. A case's `group` is the eval's own word for its kind; without
 * one, cases that expected and got the same fail the same way; and when nearly every
 * case is its own kind so, those that expected the same, or got the same, whichever
 * makes fewer kinds (free-text outputs; one wrong answer to many questions).
 */
export function failureKinds(failures: readonly TrainCase[]): FailureKind[] {
  let kinds = groupBy(failures, fineLabel);
  if (kinds.size > KINDS_BEFORE_COARSENING) {
    for (const coarser of [expectedLabel, gotLabel]) {
      const coarse = groupBy(failures, coarser);
      if (coarse.size < kinds.size) kinds = coarse;
    }
  }
  return [...kinds.values()]
    .sort((a, b) => b.cases.length - a.cases.length)
    .map((k, i) => ({ ...k, number: i + 1 }));
}

/** "- 2. 30 × routing: expected "tech" → got "general"" lines, the first `limit` kinds, then what the rest come to. */
export function kindCounts(kinds: readonly FailureKind[], limit: number): string {
  const lines = kinds.slice(0, limit).map((k) => `- ${k.number}. ${k.cases.length} × ${k.eval}: ${k.label}`);
  const rest = kinds.slice(limit);
  if (rest.length > 0) lines.push(`- …and ${rest.reduce((n, k) => n + k.cases.length, 0)} case(s) of ${rest.length} other kind(s)`);
  return lines.join('\n');
}

/** The kind a model named: its number in the list, or its label or group, as written. */
export function findKind(kinds: readonly FailureKind[], named: string): FailureKind | undefined {
  const wanted = named.trim();
  return kinds.find((k) => String(k.number) === wanted || k.label === wanted || k.cases[0]?.group === wanted);
}

/** The key two cases share when they contrast: the same eval, and the same group or expected value. */
export function contrastKey(c: TrainCase): string | undefined {
  if (c.group !== undefined) return `${c.eval}\u0000group\u0000${c.group}`;
  if (c.expected !== undefined) return `${c.eval}\u0000expected\u0000${c.expected}`;
  return undefined;
}

function groupBy(failures: readonly TrainCase[], label: (c: TrainCase) => string): Map<string, Omit<FailureKind, 'number'>> {
  const kinds = new Map<string, Omit<FailureKind, 'number'>>();
  for (const c of failures) {
    const text = label(c);
    const key = `${c.eval}\u0000${text}`;
    const kind = kinds.get(key);
    if (kind) kind.cases.push(c);
    else kinds.set(key, { eval: c.eval, label: text, cases: [c] });
  }
  return kinds;
}

function fineLabel(c: TrainCase): string {
  if (c.group !== undefined || c.expected === undefined) return plainLabel(c);
  return `expected ${quote(c.expected)} → got ${got(c)}`;
}

function expectedLabel(c: TrainCase): string {
  return c.group !== undefined || c.expected === undefined ? plainLabel(c) : `expected ${quote(c.expected)}`;
}

function gotLabel(c: TrainCase): string {
  return c.group !== undefined || c.expected === undefined ? plainLabel(c) : `got ${got(c)}`;
}

/** A case without an expected value: its group, or what its feedback said first. */
function plainLabel(c: TrainCase): string {
  if (c.group !== undefined) return `group ${quote(c.group)}`;
  const said = c.feedback?.split('\n').find((line) => line.trim());
  return said ? `said ${quote(said)}` : 'failed without evidence';
}

function got(c: TrainCase): string {
  return c.output !== undefined ? quote(c.output) : 'no output';
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > SHORT_CHARS ? `${flat.slice(0, SHORT_CHARS)}…` : flat);
}
