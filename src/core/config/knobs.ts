import { findNodeAtLocation, parseTree, type ParseError } from 'jsonc-parser';
import { pointerToPath } from './jsonPointer';

/** Where a knob lives: a JSON pointer in a JSON file, or a regex capture group in any text file. */
export interface KnobLocation {
  name: string;
  file: string;
  jsonPointer?: string;
  pattern?: string;
  step: number;
  min: number;
}

export type KnobRead =
  | { ok: true; value: number; offset: number; length: number }
  | { ok: false; error: string };

export function readKnobValue(knob: KnobLocation, text: string): KnobRead {
  return knob.jsonPointer !== undefined ? readPointer(knob.jsonPointer, text) : readPattern(knob.pattern ?? '', text);
}

/** The file's text with the knob set to `value`, formatting left as it was. */
export function writeKnobValue(knob: KnobLocation, text: string, value: number): string {
  const read = readKnobValue(knob, text);
  if (!read.ok) throw new Error(`knob "${knob.name}" in ${knob.file}: ${read.error}`);
  return text.slice(0, read.offset) + formatKnobValue(knob, value) + text.slice(read.offset + read.length);
}

/** As many decimals as the step and the minimum have, so 0.1 + 0.2 prints as 0.3. */
export function formatKnobValue(knob: Pick<KnobLocation, 'step' | 'min'>, value: number): string {
  const decimals = Math.max(decimalsOf(knob.step), decimalsOf(knob.min));
  return String(Number(value.toFixed(decimals)));
}

function decimalsOf(n: number): number {
  const s = String(n);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  return s.includes('.') ? s.split('.')[1]!.length : 0;
}

function readPointer(pointer: string, text: string): KnobRead {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  if (!root || errors.length > 0) return { ok: false, error: 'the file is not valid JSON' };
  const node = findNodeAtLocation(root, pointerToPath(pointer));
  if (!node) return { ok: false, error: `JSON pointer "${pointer}" does not exist in the file` };
  if (node.type !== 'number') return { ok: false, error: `JSON pointer "${pointer}" is a ${node.type}, not a number` };
  return { ok: true, value: node.value as number, offset: node.offset, length: node.length };
}

/** Why a knob's pattern cannot locate a number in any file, if it cannot. */
export function patternProblem(pattern: string): string | undefined {
  try {
    const groups = (new RegExp(`${pattern}|`).exec('')?.length ?? 1) - 1;
    return groups === 1 ? undefined : `pattern must have exactly one capture group around the number (it has ${groups})`;
  } catch (error) {
    return `pattern is not a valid regular expression: ${(error as Error).message}`;
  }
}

function readPattern(pattern: string, text: string): KnobRead {
  const problem = patternProblem(pattern);
  if (problem) return { ok: false, error: problem };
  const regex = new RegExp(pattern, 'gmd');
  const matches = [...text.matchAll(regex)];
  if (matches.length !== 1) {
    return { ok: false, error: `pattern must match exactly once in the file (it matches ${matches.length} times)` };
  }
  const [match] = matches;
  const captured = match?.[1];
  const where = match?.indices?.[1];
  if (captured === undefined || where === undefined || !/^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(captured)) {
    return { ok: false, error: `pattern's capture group must hold a number (it holds "${captured ?? ''}")` };
  }
  const [start, end] = where;
  return { ok: true, value: Number(captured), offset: start, length: end - start };
}
