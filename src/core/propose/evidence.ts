import type { TrainCase } from '../grade/grading';
import { formatNumber } from '../../shared/format';
import { contrastKey, failureKinds, kindCounts, type FailureKind } from './failureKinds';

/* How train cases and their evidence read to a model, in the prompt and in tool results. */

/** Kinds listed by count before the rest are summed up. */
const KINDS_LISTED = 12;
/** Passing cases shown beside each kind of failure, for contrast. */
const CONTRAST_PER_KIND = 2;
/** The share of the characters that the examples of failures may take; the passing cases have the rest. */
const EXAMPLES_SHARE = 0.8;

/** Whether a case's evidence may point at tools: agent mode has `show_trace`, single mode none. */
export interface CaseText {
  tools: boolean;
}

/** A case as text: its id, then each piece of evidence it has, and whether it has a trace to read. */
export function describeCase(c: TrainCase, how: CaseText): string {
  const lines = [`- ${c.eval}/${c.id}${c.score !== undefined ? ` (score ${formatNumber(c.score)})` : ''}${c.group !== undefined ? ` [group ${c.group}]` : ''}`];
  for (const field of ['input', 'expected', 'output', 'feedback'] as const) {
    const value = c[field];
    if (value !== undefined) lines.push(`  ${field}: ${value.replace(/\n/g, '\n    ')}`);
  }
  if (c.trace !== undefined && how.tools) lines.push(`  trace: ${c.trace.length.toLocaleString('en-US')} characters of the agent's steps; show_trace with case "${c.eval}/${c.id}" reads them`);
  return lines.join('\n');
}

export function caseName(c: Pick<TrainCase, 'eval' | 'id'>): string {
  return `${c.eval}/${c.id}`;
}

/**
 * What a model reads first of the failures, within `maxChars`: the count of each kind,
 * then examples of each kind in turn (so one common mistake does not hide the others),
 * then a passing case or two of the same expected value or group, for contrast.
 * `shown` names the failing cases it showed, which `show_failures` then skips.
 */
export function failureOverview(failures: readonly TrainCase[], passes: readonly TrainCase[], maxChars: number, how: CaseText): { text: string; shown: string[] } {
  if (failures.length === 0) return { text: '', shown: [] };
  const kinds = failureKinds(failures);
  const head = `${failures.length} failing train case${failures.length === 1 ? '' : 's'}, of ${kinds.length} kind${kinds.length === 1 ? '' : 's'}:\n${kindCounts(kinds, KINDS_LISTED)}`;
  const examples = roundRobin(kinds, maxChars * EXAMPLES_SHARE - head.length, how);
  const contrast = contrastCases(kinds, passes, maxChars - head.length - examples.used, how);
  const text = [
    head,
    `## Examples of each kind (${examples.shown.length} of ${failures.length} cases${examples.shown.length < failures.length && how.tools ? '; show_failures shows the others, by kind' : ''})\n${examples.lines.join('\n')}`,
    contrast.length > 0 ? `## Passing cases of the same expected value or group, for contrast\n${contrast.join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  return { text, shown: examples.shown };
}

/**
 * One page of `show_failures`: the failures of one kind or of all, those not shown yet,
 * as many as fit in `maxChars`. It opens with the counts, so the model sees where it is.
 */
export function pageOfFailures(failures: readonly TrainCase[], kind: FailureKind | undefined, shown: ReadonlySet<string>, maxChars: number, how: CaseText): { text: string; showing: string[] } {
  const kinds = failureKinds(failures);
  const pool = kind ? kind.cases : failures;
  const notShown = pool.filter((c) => !shown.has(caseName(c)));
  // Once every case was seen, they show again from the first: the model asked to read them.
  const unseen = notShown.length > 0 ? notShown : pool;
  const lines: string[] = [];
  const showing: string[] = [];
  let used = 0;
  for (const c of unseen) {
    const text = describeCase(c, how);
    if (lines.length > 0 && used + text.length > maxChars) break;
    lines.push(text);
    showing.push(caseName(c));
    used += text.length + 1;
  }
  const of = kind ? `of kind ${kind.number} (${kind.eval}: ${kind.label})` : 'of every kind';
  const more = showing.length < unseen.length ? '; call show_failures again for more' : '';
  const where =
    notShown.length === 0
      ? `All ${pool.length} failing case(s) ${of} were shown already; again from the first, ${showing.length} of them${more}:`
      : `${showing.length} failing case(s) ${of} not shown before, of ${unseen.length} not shown yet (${pool.length} in all)${more}:`;
  return { text: [`Kinds: ${failures.length} failing train case(s)\n${kindCounts(kinds, KINDS_LISTED)}`, where, ...lines].join('\n'), showing };
}

function roundRobin(kinds: readonly FailureKind[], maxChars: number, how: CaseText): { lines: string[]; shown: string[]; used: number } {
  const lines: string[] = [];
  const shown: string[] = [];
  let used = 0;
  for (let round = 0; kinds.some((k) => k.cases.length > round); round++) {
    for (const kind of kinds) {
      const c = kind.cases[round];
      if (!c) continue;
      const text = describeCase(c, how);
      // The first example always shows, however long: a model needs one to start from.
      if (shown.length > 0 && used + text.length > maxChars) return { lines, shown, used };
      lines.push(text);
      shown.push(caseName(c));
      used += text.length + 1;
    }
  }
  return { lines, shown, used };
}

/** Up to CONTRAST_PER_KIND passing cases for each kind's expected value or group, most common kind first. */
function contrastCases(kinds: readonly FailureKind[], passes: readonly TrainCase[], maxChars: number, how: CaseText): string[] {
  const byKey = new Map<string, TrainCase[]>();
  for (const c of passes) {
    const key = contrastKey(c);
    if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const lines: string[] = [];
  const done = new Set<string>();
  let used = 0;
  for (const kind of kinds) {
    const key = kind.cases[0] && contrastKey(kind.cases[0]);
    if (key === undefined || done.has(key)) continue;
    done.add(key);
    for (const c of (byKey.get(key) ?? []).slice(0, CONTRAST_PER_KIND)) {
      const text = describeCase(c, how);
      if (used + text.length > maxChars) return lines;
      lines.push(text);
      used += text.length + 1;
    }
  }
  return lines;
}
