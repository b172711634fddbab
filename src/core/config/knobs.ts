import { findNodeAtLocation, parseTree, type ParseError } from 'jsonc-parser';
import { pointerToPath } from './jsonPointer';

/** A knob's value: a number, or one of a set of strings. */
export type KnobValue = number | string;

/** Where a knob lives: a JSON pointer in a JSON file, or a regex capture group in any text file. */
interface KnobPlace {
  name: string;
  file: string;
  jsonPointer?: string;
  pattern?: string;
  /** The one value is written to every match of `pattern` (several places, one setting). */
  all?: boolean;
}

/** A number on a grid: min, min + step, … up to max. */
export interface RangeKnob extends KnobPlace {
  min: number;
  max: number;
  step: number;
}

/** One value of a set: strings (in no order) or numbers (ordered by value). */
export interface ChoiceKnob extends KnobPlace {
  choices: string[] | number[];
}

export type Knob = RangeKnob | ChoiceKnob;

export function isChoiceKnob(knob: Knob): knob is ChoiceKnob {
  return 'choices' in knob;
}

/** Whether the knob holds text rather than a number. */
export function holdsText(knob: Knob): boolean {
  return isChoiceKnob(knob) && typeof knob.choices[0] === 'string';
}

/** A stretch of the file that holds the knob's value. */
interface Place {
  offset: number;
  length: number;
}

export type KnobRead = { ok: true; value: KnobValue; places: Place[] } | { ok: false; error: string };

export function readKnobValue(knob: Knob, text: string): KnobRead {
  return knob.jsonPointer !== undefined ? readPointer(knob, knob.jsonPointer, text) : readPattern(knob, knob.pattern ?? '', text);
}

/**
 * The file's text with the knob set to `value` at each of its places, formatting
 * left as it was: a number keeps at least the decimals the file wrote there (1.50
 * becomes 0.35 or 1.00, never 1), so the knob's pattern still matches it.
 */
export function writeKnobValue(knob: Knob, text: string, value: KnobValue): string {
  const read = readKnobValue(knob, text);
  if (!read.ok) throw new Error(`knob "${knob.name}" in ${knob.file}: ${read.error}`);
  let out = text;
  for (const place of [...read.places].reverse()) {
    const before = text.slice(place.offset, place.offset + place.length).trim();
    out = out.slice(0, place.offset) + writtenAs(knob, value, before) + out.slice(place.offset + place.length);
  }
  return out;
}

function writtenAs(knob: Knob, value: KnobValue, before: string): string {
  // A JSON string is replaced quotes and all; a pattern's capture holds the bare text.
  if (typeof value === 'string') return knob.jsonPointer !== undefined ? JSON.stringify(value) : value;
  const formatted = formatKnobValue(knob, value);
  const decimals = /^-?\d*\.(\d+)$/.exec(before)?.[1]?.length ?? 0;
  return decimals > decimalsOf(Number(formatted)) ? value.toFixed(decimals) : formatted;
}

/** A range knob's number with as many decimals as its step and minimum have, so 0.1 + 0.2 prints as 0.3. */
export function formatKnobValue(knob: Knob, value: KnobValue): string {
  if (typeof value === 'string' || isChoiceKnob(knob)) return String(value);
  const decimals = Math.max(decimalsOf(knob.step), decimalsOf(knob.min));
  return String(Number(value.toFixed(decimals)));
}

/** Why a value read from the file does not fit the knob ("outside its range 0..10"), if it does not. */
export function knobValueProblem(knob: Knob, value: KnobValue): string | undefined {
  if (isChoiceKnob(knob)) {
    return (knob.choices as KnobValue[]).includes(value) ? undefined : `not one of its choices ${knob.choices.map((c) => JSON.stringify(c)).join(', ')}`;
  }
  return typeof value === 'number' && value >= knob.min && value <= knob.max ? undefined : `outside its range ${knob.min}..${knob.max}`;
}

function decimalsOf(n: number): number {
  const s = String(n);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  return s.includes('.') ? s.split('.')[1]!.length : 0;
}

function readPointer(knob: Knob, pointer: string, text: string): KnobRead {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  if (!root || errors.length > 0) return { ok: false, error: 'the file is not valid JSON' };
  const node = findNodeAtLocation(root, pointerToPath(pointer));
  if (!node) return { ok: false, error: `JSON pointer "${pointer}" does not exist in the file` };
  const wanted = holdsText(knob) ? 'string' : 'number';
  if (node.type !== wanted) return { ok: false, error: `JSON pointer "${pointer}" is a ${node.type}, not a ${wanted}` };
  return { ok: true, value: node.value as KnobValue, places: [{ offset: node.offset, length: node.length }] };
}

/** Why a knob's pattern cannot locate a value in any file, if it cannot. */
export function patternProblem(pattern: string): string | undefined {
  try {
    const groups = (new RegExp(`${pattern}|`).exec('')?.length ?? 1) - 1;
    return groups === 1 ? undefined : `pattern must have exactly one capture group around the value (it has ${groups})`;
  } catch (error) {
    return `pattern is not a valid regular expression: ${(error as Error).message}`;
  }
}

const NUMBER = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function readPattern(knob: Knob, pattern: string, text: string): KnobRead {
  const problem = patternProblem(pattern);
  if (problem) return { ok: false, error: problem };
  const matches = [...text.matchAll(new RegExp(pattern, 'gmd'))];
  if (knob.all && matches.length === 0) return { ok: false, error: 'pattern matches nowhere in the file' };
  if (!knob.all && matches.length !== 1) {
    return { ok: false, error: `pattern must match exactly once in the file (it matches ${matches.length} times)${matches.length > 1 ? '; "all": true writes one value to every match' : ''}` };
  }
  const values: KnobValue[] = [];
  const places: Place[] = [];
  for (const match of matches) {
    const captured = match[1];
    const where = match.indices?.[1];
    if (captured === undefined || where === undefined) return { ok: false, error: 'pattern\'s capture group matched nothing' };
    if (!holdsText(knob) && !NUMBER.test(captured)) return { ok: false, error: `pattern's capture group must hold a number (it holds "${captured}")` };
    values.push(holdsText(knob) ? captured : Number(captured));
    places.push({ offset: where[0], length: where[1] - where[0] });
  }
  const distinct = [...new Set(values)];
  if (distinct.length > 1) {
    return { ok: false, error: `the ${matches.length} matches of the pattern hold different values (${distinct.map((v) => JSON.stringify(v)).join(', ')}); with "all": true they must hold one value` };
  }
  return { ok: true, value: values[0]!, places };
}
