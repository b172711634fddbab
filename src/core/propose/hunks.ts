/**
 * The hunks of one file's unified diff, as git writes it, and the file with some of
 * them applied: what "keep part of a candidate" takes by hunk.
 */
export interface Hunk {
  /** 1 for the first hunk of the file's diff, 2 for the next, and so on. */
  number: number;
  /** The `@@ -a,b +c,d @@` line. */
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The hunk's lines as the diff shows them: ' ' kept, '-' removed, '+' added, '\' no newline at the end. */
  lines: string[];
}

const HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The hunks of a diff of one file; a diff without any (a binary file, a mode change) has none. */
export function hunksOf(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  for (const line of diff.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      const [, oldStart, oldLines, newStart, newLines] = header;
      hunks.push({ number: hunks.length + 1, header: line, oldStart: Number(oldStart), oldLines: Number(oldLines ?? 1), newStart: Number(newStart), newLines: Number(newLines ?? 1), lines: [] });
    } else if (hunks.length > 0 && /^[ +\-\\]/.test(line)) {
      hunks.at(-1)!.lines.push(line);
    }
  }
  return hunks;
}

/**
 * `before` (the file the diff starts from) with the hunks numbered in `chosen`
 * applied and the others left as they were; undefined when a hunk does not fit
 * `before`, which means the diff is of another file.
 */
export function applyHunks(before: string, hunks: Hunk[], chosen: ReadonlySet<number>): string | undefined {
  const lines = before.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out: string[] = [];
  let next = 0;
  for (const hunk of hunks) {
    if (!chosen.has(hunk.number)) continue;
    // A hunk that removes nothing inserts after line oldStart; else it starts at it.
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    const { removed, added } = sides(hunk);
    if (start < next || lines.slice(start, start + hunk.oldLines).join('') !== removed) return undefined;
    out.push(...lines.slice(next, start), added);
    next = start + hunk.oldLines;
  }
  out.push(...lines.slice(next));
  return out.join('');
}

/** The text a hunk replaces and the text it puts there. */
function sides(hunk: Hunk): { removed: string; added: string } {
  const removed: string[] = [];
  const added: string[] = [];
  let last: string[][] = [];
  for (const line of hunk.lines) {
    const text = `${line.slice(1)}\n`;
    if (line[0] === ' ') last = [removed, added];
    else if (line[0] === '-') last = [removed];
    else if (line[0] === '+') last = [added];
    else {
      // "\ No newline at end of file": the line before it has none.
      for (const side of last) side[side.length - 1] = side.at(-1)!.slice(0, -1);
      continue;
    }
    for (const side of last) side.push(text);
  }
  return { removed: removed.join(''), added: added.join('') };
}
