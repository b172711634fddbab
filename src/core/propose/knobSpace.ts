import { formatKnobValue, isChoiceKnob, type Knob, type KnobValue } from '../config/knobs';
import { round } from '../common/numbers';

/**
 * A point of the search: one level per knob. A range knob's level counts steps
 * from its minimum (a value read off the grid may sit between two levels), a
 * choice knob's is the index of its choice (numbers sorted by value).
 */
export type Point = number[];

/** One knob as the search sees it. */
export interface Axis {
  knob: Knob;
  /** How many values the knob may take. */
  levels: number;
  /** Whether nearby levels are alike (numbers), or the levels are a set in no order (strings). */
  ordered: boolean;
}

/**
 * The knobs as a grid. The search moves in the unit cube (0..1 for each ordered
 * knob, the whole range) and lands on the grid's levels, so every proposal is a
 * value the knob may take: an integer knob stays an integer, a float one a
 * multiple of its step.
 */
export class KnobSpace {
  readonly axes: Axis[];
  private readonly sortedChoices: KnobValue[][];

  constructor(readonly knobs: Knob[]) {
    this.sortedChoices = knobs.map((k) => (isChoiceKnob(k) ? [...(k.choices as KnobValue[])].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : 0)) : []));
    this.axes = knobs.map((knob) => {
      if (isChoiceKnob(knob)) return { knob, levels: knob.choices.length, ordered: typeof knob.choices[0] === 'number' };
      return { knob, levels: Math.floor((knob.max - knob.min) / knob.step + 1e-9) + 1, ordered: true };
    });
  }

  get size(): number {
    return this.axes.length;
  }

  /** The level of a value read from a file; undefined for a value that is not one of the knob's choices. */
  levelOf(i: number, value: KnobValue): number | undefined {
    const knob = this.knobs[i]!;
    if (!isChoiceKnob(knob)) return typeof value === 'number' ? round((value - knob.min) / knob.step) : undefined;
    const at = this.sortedChoices[i]!.indexOf(value);
    return at < 0 ? undefined : at;
  }

  valueAt(i: number, level: number): KnobValue {
    const knob = this.knobs[i]!;
    if (isChoiceKnob(knob)) return this.sortedChoices[i]![Math.round(level)]!;
    return Number(formatKnobValue(knob, round(knob.min + level * knob.step)));
  }

  format(i: number, level: number): string {
    return formatKnobValue(this.knobs[i]!, this.valueAt(i, level));
  }

  key(point: Point): string {
    return point.map((level, i) => this.format(i, level)).join(',');
  }

  /** Where an ordered knob's level lies in 0..1. */
  unit(i: number, level: number): number {
    const { levels } = this.axes[i]!;
    return levels > 1 ? level / (levels - 1) : 0;
  }

  /** The grid level nearest to `u` (0..1) on an ordered knob. */
  snap(i: number, u: number): number {
    const { levels } = this.axes[i]!;
    return Math.min(levels - 1, Math.max(0, Math.round(Math.min(1, Math.max(0, u)) * (levels - 1))));
  }

  /** The smallest move an ordered knob can make, in unit lengths: one level. */
  resolution(i: number): number {
    const { levels } = this.axes[i]!;
    return levels > 1 ? 1 / (levels - 1) : 1;
  }

  /** Distance in the unit cube; a set's knob counts 1 when the choices differ. */
  distance(a: Point, b: Point): number {
    let sum = 0;
    for (const [i, axis] of this.axes.entries()) {
      const d = axis.ordered ? this.unit(i, a[i]!) - this.unit(i, b[i]!) : a[i] === b[i] ? 0 : 1;
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  /** The point a design's cell (0..1 per knob) stands for: the level whose share of the range holds it. */
  fromCell(cell: number[]): Point {
    return this.axes.map((axis, i) => Math.min(axis.levels - 1, Math.floor(cell[i]! * axis.levels)));
  }

  /** How many points the grid has. */
  get gridSize(): number {
    return this.axes.reduce((n, a) => n * a.levels, 1);
  }
}
