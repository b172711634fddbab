import type { KnobSpace, Point } from './knobSpace';

/** How a child compared with its parent, as far as the evals can tell. */
export type Outcome = 'better' | 'same' | 'worse';

/**
 * The step-size rule of the (1+1)-ES, Rechenberg's 1/5th success rule in its
 * multiplicative form: a step that paid doubles the next, one that did not
 * shrinks it by 2^(−1/4), so the size settles where one step in five pays, about
 * the rate at which an ES progresses fastest. A step whose effect the evals cannot
 * tell from nothing (`same`: a plateau, or a change within the noise) grows the
 * next by √2: a smaller one could only tell less.
 */
const FACTOR: Record<Outcome, number> = { better: 2, worse: 2 ** -0.25, same: Math.SQRT2 };

/** The largest step, in lengths of each knob's range: half of it is already a jump across the space. */
export const MAX_STEP = 0.5;

export function classify(gain: number, threshold: number): Outcome {
  if (gain > threshold) return 'better';
  return gain < -threshold ? 'worse' : 'same';
}

/** The step size after `outcomes`, never below `floor` (one level of the finest knob) nor above MAX_STEP. */
export function stepSize(outcomes: Outcome[], initial: number, floor: number): number {
  let step = initial;
  for (const outcome of outcomes) step = Math.min(MAX_STEP, Math.max(floor, step * FACTOR[outcome]));
  return step;
}

/**
 * A child of `centre`: every ordered knob moved by a normal draw of `step` (in
 * lengths of its range, reflected at its ends, landed on its grid), a set's knob
 * switched to another choice with a chance that grows with the step. A child that
 * lands back on the centre gets one level on the knob drawn farthest, so no
 * candidate is spent on a step below the grid.
 */
export function mutate(space: KnobSpace, centre: Point, step: number, random: () => number): Point {
  const draws = space.axes.map(() => gaussian(random));
  const child = space.axes.map((axis, i) => {
    if (!axis.ordered) return random() < Math.min(0.5, step) ? otherChoice(centre[i]!, axis.levels, random) : centre[i]!;
    return space.snap(i, reflect(space.unit(i, centre[i]!) + step * draws[i]!));
  });
  if (child.every((level, i) => level === centre[i])) {
    const i = draws.reduce((best, d, k) => (Math.abs(d) > Math.abs(draws[best]!) ? k : best), 0);
    const axis = space.axes[i]!;
    if (!axis.ordered) child[i] = otherChoice(centre[i]!, axis.levels, random);
    else {
      const sign = Math.sign(draws[i]!) || 1;
      const level = Math.round(centre[i]!) + sign;
      child[i] = level >= 0 && level < axis.levels ? level : Math.round(centre[i]!) - sign;
    }
  }
  return child;
}

function otherChoice(current: number, levels: number, random: () => number): number {
  const pick = Math.floor(random() * (levels - 1));
  return pick >= current ? pick + 1 : pick;
}

/** Folds a coordinate back into 0..1, as a step past an end bounces off it. */
function reflect(u: number): number {
  let v = Math.abs(u) % 2;
  if (v > 1) v = 2 - v;
  return v;
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
