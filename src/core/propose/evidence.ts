import type { Failure } from '../grade/grading';
import { formatNumber } from '../../shared/format';

/* How failing cases and their evidence read to a model, in the prompt and in tool results. */

/** A failing case as text: its id, then each piece of evidence it has. */
export function describeFailure(f: Failure): string {
  const lines = [`- ${f.eval}/${f.id}${f.score !== undefined ? ` (score ${formatNumber(f.score)})` : ''}`];
  for (const field of ['input', 'expected', 'output', 'feedback'] as const) {
    const value = f[field];
    if (value !== undefined) lines.push(`  ${field}: ${value.replace(/\n/g, '\n    ')}`);
  }
  return lines.join('\n');
}

/**
 * A varied sample of failures within `maxChars`: failures are grouped by how they
 * failed (eval, expected and actual output, or feedback), and the sample takes one
 * from each group in turn, so one common mistake does not hide the others.
 */
export function sampleFailures(failures: Failure[], maxChars: number): { shown: string[]; total: number } {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = `${f.eval}\u0000${f.expected ?? ''}\u0000${f.output ?? f.feedback?.slice(0, 60) ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const queues = [...groups.values()];
  const shown: string[] = [];
  let used = 0;
  for (let round = 0; queues.some((q) => q.length > round); round++) {
    for (const queue of queues) {
      const f = queue[round];
      if (!f) continue;
      const text = describeFailure(f);
      if (used + text.length > maxChars) return { shown, total: failures.length };
      shown.push(text);
      used += text.length + 1;
    }
  }
  return { shown, total: failures.length };
}

/** The failures from `offset` on, as many as fit in `maxChars`: one page of `show_failures`. */
export function pageOfFailures(failures: Failure[], offset: number, maxChars: number): { text: string; next?: number } {
  const lines: string[] = [];
  let used = 0;
  let at = offset;
  for (; at < failures.length; at++) {
    const f = failures[at];
    if (!f) break;
    const text = describeFailure(f);
    if (lines.length > 0 && used + text.length > maxChars) break;
    lines.push(text);
    used += text.length + 1;
  }
  const head = failures.length === 0 ? 'No failing train cases.' : `Failing train cases ${offset + 1}–${at} of ${failures.length}:`;
  return { text: [head, ...lines].join('\n'), ...(at < failures.length ? { next: at } : {}) };
}
