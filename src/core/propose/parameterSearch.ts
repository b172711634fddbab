import type { Knob } from '../config/config';
import { readKnobValue, writeKnobValue } from '../config/knobs';
import { gain } from '../grade/metrics';
import { formatNumber } from '../../shared/format';
import { seededRandom } from '../common/random';
import { editAt, type Edit } from './edits';
import { mutate, stepSize, MAX_STEP, type Outcome } from './evolutionStrategy';
import { KnobSpace, type Point } from './knobSpace';
import { latinHypercube } from './latinHypercube';
import type { ProposalOutcome, ProposalRequest, Proposer } from './proposer';
import { lineage, replay, startValue, type Learnt } from './searchHistory';
import { MOST_POINTS, Surrogate } from './surrogate';

/** Children of a step drawn for the surrogate to choose from, and draws before the step counts as used up. */
const CHILDREN = 32;
const TRIES = 64;
/** Changes a title names before it counts the rest. */
const TITLE_CHANGES = 4;
/** Random points weighed against each other for a restart far from every point tried. */
const SPREAD_SAMPLES = 64;

interface Choice {
  point: Point;
  why: string;
}

/**
 * The built-in proposer, for numbers and choices in files; it needs no network.
 *
 * It opens with a Latin hypercube (each knob's range covered evenly by a few
 * points), then runs a (1+1) evolution strategy from the best point so far, its
 * step size set by the 1/5th success rule.
 *
 * Why a (1+1)-ES rather than CMA-ES or TPE: the loop grades one candidate at a
 * time, and budgets are tens of evaluations. CMA-ES needs a population of
 * 4 + 3 ln n a generation and about n² evaluations to learn its covariance, so in
 * 20 evaluations it would finish two generations and learn nothing; TPE needs a
 * dozen random points or more before its densities beat random draws, and models
 * each knob on its own, so it misses knobs that only help together. The (1+1)-ES
 * learns from every evaluation: its step grows while steps pay, shrinks when they
 * do not, and grows when the evals cannot tell a step from nothing (a plateau, or
 * a change within the noise that `repeats` measures), so it neither crawls a grid
 * a level at a time nor spends candidates on differences nobody can see.
 *
 * Each step draws several children of that size and proposes the one a Gaussian
 * process fit to every score so far rates highest (an upper confidence bound):
 * pre-selection by a surrogate, as in surrogate-assisted ES, so that the points
 * already paid for steer the step's direction, which the 1/5th rule cannot learn.
 * It never proposes a point already tried.
 */
export class ParameterSearch implements Proposer {
  readonly name = 'parameter-search';
  private readonly space: KnobSpace;
  private readonly random: () => number;
  private readonly proposed = new Set<string>();
  private readonly pointCache = new Map<string, Point | undefined>();
  private design: Point[] | undefined;

  constructor(knobs: Knob[], seed: number = Date.now()) {
    this.space = new KnobSpace(knobs);
    this.random = seededRandom(seed);
  }

  async propose(request: ProposalRequest): Promise<ProposalOutcome> {
    if (this.space.size === 0) {
      return { kind: 'exhausted', reason: 'the parameter search has no knobs: declare "knobs" in .aiai/config.json' };
    }
    const parent = await this.pointAt(request, request.parent.commit);
    if (!parent) return { kind: 'exhausted', reason: 'the knobs cannot be read at the parent version' };
    const start = (await this.pointAt(request, request.base)) ?? parent;

    // Only versions grown from the start count: the same values on another version of the workspace are another candidate.
    const run = lineage(request);
    const tried = new Set<string>([...this.proposed, this.space.key(parent), this.space.key(start)]);
    const points = new Map<string, Point>();
    for (const attempt of run) {
      const point = attempt.commit ? await this.pointAt(request, attempt.commit) : undefined;
      if (!point || !attempt.commit) continue;
      tried.add(this.space.key(point));
      points.set(attempt.commit, point);
    }
    if (tried.size >= this.space.gridSize) return { kind: 'exhausted', reason: 'every point of the knobs grid has been tried' };
    const fresh = (p: Point): boolean => !tried.has(this.space.key(p));

    const design = designSize(this.space.size);
    const value = startValue(request);
    // A gain must clear what the loop's verdict asks of it: the minimum gain, and twice the standard error of a change.
    const threshold = Math.max(request.objective.minDelta, 2 * Math.SQRT2 * (request.parent.standardError ?? 0));
    const learnt = replay(request, run, points, value === undefined ? undefined : { point: start, value }, design, threshold);
    const choice =
      (run.length < design ? this.opening(design, start, fresh) : undefined) ??
      this.step(request, learnt, learnt.centre?.point ?? parent, fresh, threshold) ??
      this.restart(parent, learnt, fresh, [start, ...points.values()]);
    if (!choice) return { kind: 'exhausted', reason: 'every point of the knobs grid has been tried' };
    this.proposed.add(this.space.key(choice.point));
    const changes = this.space.axes
      .map((_, i) => (parent[i] !== choice.point[i] ? `${this.space.knobs[i]!.name} ${this.space.format(i, parent[i]!)} → ${this.space.format(i, choice.point[i]!)}` : ''))
      .filter(Boolean);
    // A title stays a line: the first changes, and how many more (the diff and the rationale have them all).
    const shown = changes.length > TITLE_CHANGES ? [...changes.slice(0, TITLE_CHANGES - 1), `${changes.length - TITLE_CHANGES + 1} more knobs`] : changes;
    return {
      kind: 'proposal',
      proposal: {
        title: shown.join(', '),
        rationale: `Parameter search: ${choice.why}; built on a version with ${request.objective.metric} ${formatNumber(request.parent.objectiveValue)}.${shown === changes ? '' : ` Changes: ${changes.join(', ')}.`}`,
        edits: await this.editsFor(request, parent, choice.point),
      },
    };
  }

  /** The next point of the opening design. */
  private opening(size: number, start: Point, fresh: (p: Point) => boolean): Choice | undefined {
    const cellOf = (p: Point): number[] => this.space.axes.map((a, i) => (p[i]! + 0.5) / a.levels);
    this.design ??= latinHypercube(size, this.space.size, this.random, [cellOf(start)]).map((cell) => this.space.fromCell(cell));
    const at = this.design.findIndex(fresh);
    return at < 0 ? undefined : { point: this.design[at]!, why: `point ${at + 1} of ${size} of the opening design, which covers each knob's range evenly` };
  }

  /**
   * A step of the evolution strategy from `centre`, the best point so far, with
   * the size the 1/5th rule learnt from every earlier step: of CHILDREN drawn at
   * that size, the one the surrogate rates highest. A child that even the model's
   * optimistic bound does not see beating the centre by more than `threshold` (the
   * noise, the minimum gain) is a step the evals could not resolve: the step widens
   * instead, as it does when every child that close was tried. Undefined when steps
   * seem used up here: every point within reach tried, or a plateau for large steps.
   */
  private step(request: ProposalRequest, learnt: Learnt, centre: Point, fresh: (p: Point) => boolean, threshold: number): Choice | undefined {
    const { outcomes } = learnt;
    const learntSize = stepSize(outcomes, initialStep(this.space.size), this.floor());
    if (learntSize >= MAX_STEP && outcomes.length >= 3 && outcomes.slice(-3).every((o) => o === 'same')) return undefined;
    const recent = learnt.seen.slice(-MOST_POINTS);
    const model = Surrogate.fit(
      recent.map((o) => o.point),
      recent.map((o) => gain(request.objective, o.value, 0)),
      (a, b) => this.space.distance(a, b),
      Math.sqrt(this.space.size),
      request.parent.standardError,
    );
    const resolvable = model ? model.predict(centre).mean + threshold : -Infinity;
    let fallback: { point: Point; size: number; of: number } | undefined;
    for (let size = learntSize; ; size = Math.min(MAX_STEP, size * 2)) {
      const children = this.children(centre, size, fresh);
      const rated = children.map((child) => ({ child, rating: model ? model.optimistic(child) : 0 })).sort((a, b) => b.rating - a.rating);
      const best = rated[0];
      if (best) fallback ??= { point: best.child, size, of: children.length };
      if (best && best.rating > resolvable) {
        const widened = size > learntSize ? `, widened from ${formatNumber(learntSize)}: nearer points are tried or could not change the score by more than the evals resolve` : '';
        const chosen = model ? `, the most promising of ${children.length} such steps by a model of the ${recent.length} scores so far` : '';
        return { point: best.child, why: `a step of ${formatNumber(size)} of each knob's range ${describe(outcomes)}${widened}${chosen}` };
      }
      if (size >= MAX_STEP) break;
    }
    return fallback && { point: fallback.point, why: `a step of ${formatNumber(fallback.size)} of each knob's range ${describe(outcomes)}, though no step within reach looks likely to pay` };
  }

  /** Up to CHILDREN distinct children of `centre` at step `size` that were not tried. */
  private children(centre: Point, size: number, fresh: (p: Point) => boolean): Point[] {
    const children = new Map<string, Point>();
    for (let t = 0; t < TRIES && children.size < CHILDREN; t++) {
      const child = mutate(this.space, centre, size, this.random);
      if (fresh(child)) children.set(this.space.key(child), child);
    }
    return [...children.values()];
  }

  /**
   * When steps are used up around the best point: a step from the version the
   * loop chose, when that is another one (search strategies archive and tree pick
   * other lineages), or else the point farthest from every point tried.
   */
  private restart(parent: Point, learnt: Learnt, fresh: (p: Point) => boolean, tried: Point[]): Choice | undefined {
    const why = 'steps around the best point are used up (all tried, or a plateau even for large steps)';
    if (learnt.centre && this.space.key(parent) !== this.space.key(learnt.centre.point)) {
      for (let t = 0; t < TRIES; t++) {
        const point = mutate(this.space, parent, initialStep(this.space.size), this.random);
        if (fresh(point)) return { point, why: `${why}, so a step from the version the search strategy chose` };
      }
    }
    let best: { point: Point; distance: number } | undefined;
    for (let i = 0; i < SPREAD_SAMPLES; i++) {
      const point = this.space.fromCell(this.space.axes.map(() => this.random()));
      if (!fresh(point)) continue;
      const distance = Math.min(...tried.map((t) => this.space.distance(point, t)));
      if (!best || distance > best.distance) best = { point, distance };
    }
    return best && { point: best.point, why: `${why}, so a restart far from every point tried` };
  }

  /** The smallest step worth a candidate: one level of the finest ordered knob. */
  private floor(): number {
    const resolutions = this.space.axes.flatMap((a, i) => (a.ordered ? [this.space.resolution(i)] : []));
    return resolutions.length > 0 ? Math.min(...resolutions) : 1;
  }

  private async pointAt(request: ProposalRequest, commit: string): Promise<Point | undefined> {
    if (this.pointCache.has(commit)) return this.pointCache.get(commit);
    const levels: number[] = [];
    for (const [i, knob] of this.space.knobs.entries()) {
      const text = await request.readFile(commit, knob.file);
      const read = text === undefined ? undefined : readKnobValue(knob, text);
      const level = read?.ok ? this.space.levelOf(i, read.value) : undefined;
      if (level === undefined) {
        this.pointCache.set(commit, undefined);
        return undefined;
      }
      levels.push(level);
    }
    this.pointCache.set(commit, levels);
    return levels;
  }

  /** One edit per changed file: every knob in it set, each at all its places. */
  private async editsFor(request: ProposalRequest, from: Point, to: Point): Promise<Edit[]> {
    const texts = new Map<string, { before: string; after: string }>();
    for (const [i, knob] of this.space.knobs.entries()) {
      if (from[i] === to[i]) continue;
      const before = texts.get(knob.file)?.before ?? (await request.readFile(request.parent.commit, knob.file))!;
      const after = writeKnobValue(knob, texts.get(knob.file)?.after ?? before, this.space.valueAt(i, to[i]!));
      texts.set(knob.file, { before, after });
    }
    return [...texts].map(([file, { before, after }]) => wholeEdit(file, before, after));
  }
}

/** The opening design: a point for every two knobs and one, from 3 to 6, so most of a budget of 20 is left to the steps. */
function designSize(knobs: number): number {
  return Math.min(6, Math.max(3, Math.round(knobs / 2) + 1));
}

/** The first step after the design: about a third of the spacing of its points. */
function initialStep(knobs: number): number {
  return Math.min(MAX_STEP, 0.3 / designSize(knobs) ** (1 / Math.max(1, knobs)));
}

function describe(outcomes: Outcome[]): string {
  if (outcomes.length === 0) return '(the first step after the opening design)';
  const said = outcomes.slice(-3).map((o) => ({ better: 'a gain', worse: 'a loss', same: 'no change the evals can tell' })[o]);
  return `(after ${said.join(', ')})`;
}

/** An edit of the changed stretch of a file, from its first changed line to its last. */
function wholeEdit(file: string, before: string, after: string): Edit {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return editAt(file, before, head, before.length - head - tail, after.slice(head, after.length - tail));
}
