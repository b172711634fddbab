/** Below this likeness a window is not shown: lines that share little with the search would mislead more than help. */
const MIN_LIKENESS = 0.5;
/** The excerpt shown is cut to this many lines. */
const MAX_LINES = 30;

/**
 * The run of lines in `text` most like `search`, for a search that is not in it, so a
 * model sees what the file really holds there (its indentation, quotes, a word that
 * differs). Each window of as many lines as the search has is scored line by line,
 * by the character pairs the lines share after trimming; the best window wins, the
 * first on a tie. Lines are 1-based.
 */
export function nearestLines(text: string, search: string): { first: number; last: number; text: string } | undefined {
  const wanted = search.replace(/\n$/, '').split('\n').map(pairsOf);
  const lines = text.split('\n');
  const have = lines.map(pairsOf);
  const size = Math.min(wanted.length, have.length);
  let best = { at: -1, score: 0 };
  for (let at = 0; at + size <= have.length; at++) {
    let score = 0;
    for (let i = 0; i < size; i++) score += likeness(wanted[i]!, have[at + i]!);
    score /= wanted.length;
    if (score > best.score) best = { at, score };
  }
  if (best.at < 0 || best.score < MIN_LIKENESS) return undefined;
  const shown = lines.slice(best.at, best.at + Math.min(size, MAX_LINES));
  return { first: best.at + 1, last: best.at + shown.length, text: shown.join('\n') };
}

/** A trimmed line and its character pairs as sorted numbers, so two lines compare in one merge. */
interface Pairs {
  line: string;
  codes: Uint32Array;
}

function pairsOf(line: string): Pairs {
  const trimmed = line.trim();
  const codes = new Uint32Array(Math.max(0, trimmed.length - 1));
  for (let i = 0; i < codes.length; i++) codes[i] = (trimmed.charCodeAt(i) << 16) | trimmed.charCodeAt(i + 1);
  return { line: trimmed, codes: codes.sort() };
}

/** The Dice coefficient of two lines' character pairs: 1 for the same line, 0 for nothing shared. */
function likeness(a: Pairs, b: Pairs): number {
  if (a.line === b.line) return 1;
  if (a.codes.length === 0 || b.codes.length === 0) return 0;
  let shared = 0;
  for (let i = 0, j = 0; i < a.codes.length && j < b.codes.length; ) {
    if (a.codes[i]! === b.codes[j]!) {
      shared++;
      i++;
      j++;
    } else if (a.codes[i]! < b.codes[j]!) i++;
    else j++;
  }
  return (2 * shared) / (a.codes.length + b.codes.length);
}
