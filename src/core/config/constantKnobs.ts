import { evolveBlocks, insideBlock } from './evolveBlocks';

/** A knob `aiai init` proposes for a named constant, in the config's pattern form. */
export interface ProposedKnob {
  name: string;
  file: string;
  pattern: string;
  min: number;
  max: number;
  step: number;
  /** Where it was found, for init's report. */
  line: number;
  value: number;
}

/** The number a pattern captures, in any form the parameter search may write back. */
const NUMBER = '-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';

/*
 * A named constant: `name = 3`, `name: float = 0.5`, `name := 3`, or a keyword
 * argument `name=1000` in a def or a call, with nothing after the number but the end
 * of the statement. An expression (`2 * pi`), a comparison, a subscript or a tuple
 * is not one.
 */
const CONSTANT = new RegExp(`(?<![\\w.])([A-Za-z_][\\w.]*)((?:\\s*:\\s*[A-Za-z_][\\w\\[\\], .]*?)?\\s*:?=\\s*)(${NUMBER})(?=\\s*(?:[,;)\\]}]|#|//|$))`, 'g');

/**
 * Knobs for the numeric constants inside the evolve blocks of `text` (the whole file
 * when it has no markers), each with a range guessed around its value: a quarter to
 * four times it, steps of a tenth of its magnitude, fractions kept at most 1. A zero
 * is left out (most often a counter's start, and it has no scale to guess from), and
 * so is a constant no pattern can find exactly once.
 *
 * Besides named constants, each decimal literal inside an expression
 * (`0.5 + 0.3 * np.cos(angle)`, `np.clip(c, 0.01, 0.99)`) is a knob named by its place
 * (`0.3@20:18`): the tunable numbers of the peers' examples sit there. Whole numbers in
 * expressions are left out: they are indexes, counts and shapes far more often than
 * settings.
 */
export function proposeKnobs(file: string, text: string): ProposedKnob[] {
  const parsed = evolveBlocks(text);
  if (!parsed.ok) return [];
  const lines = text.split('\n');
  const knobs: ProposedKnob[] = [];
  let inString = false;
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const quotes = (line.match(/"""|'''/g) ?? []).length;
    const wasInString = inString;
    if (quotes % 2 === 1) inString = !inString;
    if (wasInString || quotes > 0 || (parsed.blocks.length > 0 && !insideBlock(parsed.blocks, i + 1))) continue;
    const named: Array<[number, number]> = [];
    for (const match of line.matchAll(CONSTANT)) {
      const [whole, name, between, literal] = match as unknown as [string, string, string, string, string];
      const at = match.index;
      named.push([at, at + whole.length]);
      if (inCommentOrString(line.slice(0, at)) || Number(literal) === 0) continue;
      const pattern = uniquePattern(text, [`\\b${escape(name + between)}(${NUMBER})`, `^${escape(line.slice(0, at) + name + between)}(${NUMBER})`]);
      if (!pattern) continue;
      const taken = knobs.some((k) => k.name === name);
      knobs.push({ name: taken ? `${name}@${i + 1}` : name, file, pattern, ...rangeAround(literal), line: i + 1, value: Number(literal) });
    }
    for (const match of line.matchAll(DECIMAL)) {
      const [literal] = match;
      const at = match.index;
      if (named.some(([from, to]) => at >= from && at < to) || inCommentOrString(line.slice(0, at)) || Number(literal) === 0) continue;
      const pattern = contextPattern(text, line, at, literal.length);
      if (!pattern) continue;
      knobs.push({ name: `${literal}@${i + 1}:${at + 1}`, file, pattern, ...rangeAround(literal), line: i + 1, value: Number(literal) });
    }
  }
  return knobs;
}

/** A decimal literal: `0.3`, `.5`, `1.5e-3`, not part of a name or of a longer number. */
const DECIMAL_SOURCE = '(?<![\\w.])(?:\\d+\\.\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
const DECIMAL = new RegExp(`${DECIMAL_SOURCE}(?![\\w.])`, 'g');

/**
 * A pattern for the literal at `at` in `line` with as little of the line around it as
 * makes it match once in the file, cut between tokens. The other decimals in that
 * context match any number, so the pattern still finds its place after the search
 * moves a neighbouring knob; whole numbers (`i + 1` against `i + 9`) stay as written.
 */
function contextPattern(text: string, line: string, at: number, length: number): string | undefined {
  const around = (part: string): string => part.split(new RegExp(`(${DECIMAL_SOURCE})`)).map((piece, k) => (k % 2 === 1 ? `(?:${NUMBER})` : escape(piece))).join('');
  const inToken = (i: number): boolean => /[\w.]/.test(line[i - 1] ?? '') && /[\w.]/.test(line[i] ?? '');
  const patterns = [8, 16, 32, line.length].map((width) => {
    let from = Math.max(0, at - width);
    while (from < at && inToken(from)) from++;
    let to = Math.min(line.length, at + length + width);
    while (to > at + length && inToken(to)) to--;
    return `${from === 0 ? '^' : ''}${around(line.slice(from, at))}(${NUMBER})${around(line.slice(at + length, to))}${to === line.length ? '$' : ''}`;
  });
  return uniquePattern(text, patterns);
}

function inCommentOrString(before: string): boolean {
  if (/#|\/\//.test(before.replace(/(["'])(?:\\.|(?!\1).)*\1/g, ''))) return true;
  return ((before.match(/"/g) ?? []).length % 2 === 1) || ((before.match(/'/g) ?? []).length % 2 === 1);
}

function uniquePattern(text: string, patterns: string[]): string | undefined {
  return patterns.find((p) => [...text.matchAll(new RegExp(p, 'gm'))].length === 1);
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function rangeAround(literal: string): { min: number; max: number; step: number } {
  const value = Number(literal);
  const magnitude = Math.abs(value);
  const integer = !/[.eE]/.test(literal);
  const scale = 10 ** Math.floor(Math.log10(magnitude));
  const step = integer ? Math.max(1, scale / 10) : Number((scale / 10).toPrecision(1));
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const fix = (n: number): number => Number(n.toFixed(decimals));
  const low = Math.max(integer ? 1 : step, fix(Math.floor(magnitude / 4 / step) * step));
  const high = fix(Math.ceil((magnitude * 4) / step) * step);
  const top = !integer && magnitude < 1 ? Math.min(1, high) : high;
  return value > 0 ? { min: low, max: top, step } : { min: -top, max: -low, step };
}
