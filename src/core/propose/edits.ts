import type { FileChange } from '../git/git';
import { nearestLines } from './nearestLines';

/** One search/replace edit, as a proposer returns it (DESIGN.md, proposer tool). */
export interface Edit {
  path: string;
  search: string;
  replace: string;
}

/** A refusal's `hint` is for a model to correct itself (the file's nearest text); the record keeps only `reason`. */
export type EditsResult = { ok: true; changes: FileChange[] } | { ok: false; reason: string; hint?: string };

/**
 * Applies edits in order to the files `read` returns. `search` must occur exactly
 * once; an empty `search` on a missing file creates it.
 */
export async function applyEdits(edits: Edit[], read: (file: string) => Promise<string | undefined>): Promise<EditsResult> {
  const files = new Map<string, { before: string | undefined; after: string }>();
  for (const [i, edit] of edits.entries()) {
    const label = `edit ${i + 1} (${edit.path})`;
    const current = files.get(edit.path) ?? { before: await read(edit.path), after: '' };
    const text = files.has(edit.path) ? current.after : current.before;
    if (text === undefined) {
      if (edit.search !== '') return { ok: false, reason: `${label}: the file does not exist; use an empty search to create it` };
      files.set(edit.path, { before: undefined, after: edit.replace });
      continue;
    }
    if (edit.search === '') return { ok: false, reason: `${label}: search is empty but the file already exists` };
    const count = occurrences(text, edit.search);
    if (count !== 1) {
      return { ok: false, reason: `${label}: search text must match exactly once, but it matches ${count} times`, ...(count === 0 ? { hint: nearestHint(edit.path, text, edit.search) } : {}) };
    }
    const at = text.indexOf(edit.search);
    files.set(edit.path, { before: current.before, after: text.slice(0, at) + edit.replace + text.slice(at + edit.search.length) });
  }
  const changes = [...files].filter(([, f]) => f.after !== f.before).map(([file, f]) => ({ path: file, content: f.after }));
  if (changes.length === 0) return { ok: false, reason: 'the edits change nothing' };
  return { ok: true, changes };
}

function nearestHint(file: string, text: string, search: string): string {
  const near = nearestLines(text, search);
  return near ? `The nearest text in ${file}, lines ${near.first}–${near.last}:\n${near.text}` : `No lines of ${file} resemble the search text; read the file again.`;
}

function occurrences(text: string, search: string): number {
  let count = 0;
  for (let at = text.indexOf(search); at !== -1; at = text.indexOf(search, at + 1)) count++;
  return count;
}

/**
 * The edit that replaces `length` characters at `offset`, with just enough whole
 * lines around it for its search text to occur once.
 */
export function editAt(file: string, text: string, offset: number, length: number, replacement: string): Edit {
  let start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = lineEnd(text, offset + length);
  while (occurrences(text, text.slice(start, end)) > 1 && (start > 0 || end < text.length)) {
    if (start > 0) start = start <= 1 ? 0 : text.lastIndexOf('\n', start - 2) + 1;
    if (end < text.length) end = lineEnd(text, end + 1);
  }
  return {
    path: file,
    search: text.slice(start, end),
    replace: text.slice(start, offset) + replacement + text.slice(offset + length, end),
  };
}

function lineEnd(text: string, from: number): number {
  const at = text.indexOf('\n', from);
  return at === -1 ? text.length : at;
}
