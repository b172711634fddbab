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
    for (const match of line.matchAll(CONSTANT)) {
      const [, name, between, literal] = match as unknown as [string, string, string, string];
      const at = match.index;
      if (inCommentOrString(line.slice(0, at)) || Number(literal) === 0) continue;
      const pattern = uniquePattern(text, [`\\b${escape(name + between)}(${NUMBER})`, `^${escape(line.slice(0, at) + name + between)}(${NUMBER})`]);
      if (!pattern) continue;
      const taken = knobs.some((k) => k.name === name);
      knobs.push({ name: taken ? `${name}@${i + 1}` : name, file, pattern, ...rangeAround(literal), line: i + 1, value: Number(literal) });
    }
  }
  return knobs;
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
