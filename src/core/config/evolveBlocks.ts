/**
 * `EVOLVE-BLOCK-START` / `EVOLVE-BLOCK-END` regions, the convention OpenEvolve and
 * ShinkaEvolve share for the part of a program that may evolve. A marker is a line
 * that holds only a comment (any language's: #, //, --, !, ;, <!--, (*, /*) starting
 * with the marker word, as ShinkaEvolve reads them; a string that mentions the word
 * is not a marker.
 */

/** One region, by the 1-based lines of its two markers; the lines strictly between them may change. */
export interface EvolveBlock {
  start: number;
  end: number;
}

export type EvolveBlocks = { ok: true; blocks: EvolveBlock[] } | { ok: false; line: number; problem: string };

const MARKER = /^\s*(?:#+|\/\/+|--|!|;+|<!--|\(\*|\/\*+)\s*EVOLVE-BLOCK-(START|END)\b/;

export function hasEvolveMarkers(text: string): boolean {
  return text.split('\n').some((line) => MARKER.test(line));
}

/** The file's regions, or the first line where its markers do not pair up. */
export function evolveBlocks(text: string): EvolveBlocks {
  const blocks: EvolveBlock[] = [];
  let open: number | undefined;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const kind = MARKER.exec(line)?.[1];
    if (kind === 'START') {
      if (open !== undefined) return { ok: false, line: i + 1, problem: `EVOLVE-BLOCK-START inside the block opened at line ${open}` };
      open = i + 1;
    } else if (kind === 'END') {
      if (open === undefined) return { ok: false, line: i + 1, problem: 'EVOLVE-BLOCK-END with no EVOLVE-BLOCK-START before it' };
      blocks.push({ start: open, end: i + 1 });
      open = undefined;
    }
  }
  if (open !== undefined) return { ok: false, line: open, problem: 'EVOLVE-BLOCK-START with no EVOLVE-BLOCK-END after it' };
  return { ok: true, blocks };
}

/** Whether a 1-based line lies strictly between the markers of a block. */
export function insideBlock(blocks: readonly EvolveBlock[], line: number): boolean {
  return blocks.some((b) => line > b.start && line < b.end);
}

/**
 * Why `after` changes `before` outside its evolve blocks, if it does; undefined
 * when it does not, or when `before` has no markers at all. The line named is
 * `before`'s.
 */
export function changeOutsideBlocks(before: string, after: string): string | undefined {
  const parsed = evolveBlocks(before);
  if (!parsed.ok) return `line ${parsed.line}: ${parsed.problem}; fix the markers so it is clear which lines may change`;
  if (parsed.blocks.length === 0) return undefined;
  const blocks = parsed.blocks.map((b) => `${b.start} and ${b.end}`).join(', ');
  const rule = `only the lines between EVOLVE-BLOCK-START and EVOLVE-BLOCK-END may change (between lines ${blocks})`;
  const was = before.split('\n');
  const now = after.split('\n');
  const reparsed = evolveBlocks(after);
  if (!reparsed.ok || reparsed.blocks.length !== parsed.blocks.length) {
    return `line ${firstDifference(was, now) + 1}: the edit adds or removes an EVOLVE-BLOCK marker; ${rule}`;
  }
  const newFrames = framesOf(reparsed.blocks, now.length);
  for (const [i, frame] of framesOf(parsed.blocks, was.length).entries()) {
    const a = was.slice(frame.from, frame.to);
    const b = now.slice(newFrames[i]!.from, newFrames[i]!.to);
    const at = firstDifference(a, b);
    if (at < a.length || at < b.length) return `line ${frame.from + at + 1}: the edit changes a line outside the evolve blocks; ${rule}`;
  }
  return undefined;
}

/** A run of lines outside the blocks, markers included: [from, to) as 0-based indexes. */
interface Frame {
  from: number;
  to: number;
}

function framesOf(blocks: readonly EvolveBlock[], lineCount: number): Frame[] {
  const frames: Frame[] = [];
  let from = 0;
  for (const block of blocks) {
    frames.push({ from, to: block.start });
    from = block.end - 1;
  }
  frames.push({ from, to: lineCount });
  return frames;
}

function firstDifference(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
