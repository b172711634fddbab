import type { Knob } from '../config/config';
import { editAt, type Edit } from './edits';
import { formatKnobValue, readKnobValue } from '../config/knobs';
import { round } from '../grade/metrics';
import { formatNumber } from '../../shared/format';
import { seededRandom } from '../common/random';
import type { Attempt, ProposalOutcome, ProposalRequest, Proposer } from './proposer';

type Point = number[];

/** Neighbours to try around a point before calling it a plateau. */
const PLATEAU_AFTER = 4;
const RANDOM_TRIES = 2000;
/** Random points weighed against each other for a restart far from the points tried. */
const SPREAD_SAMPLES = 24;

/**
 * The built-in proposer: a pattern search over numeric knobs that needs no network.
 * It walks to the best neighbour, keeps going in a direction that paid off, and on
 * a plateau (neighbours score the same) jumps: random restarts interleaved with
 * larger and joint steps. It never proposes a point it has already tried.
 */
export class ParameterSearch implements Proposer {
  readonly name = 'parameter-search';
  private readonly random: () => number;
  private readonly proposed = new Set<string>();
  private readonly pointCache = new Map<string, Point | undefined>();

  constructor(
    private readonly knobs: Knob[],
    seed: number = Date.now(),
  ) {
    this.random = seededRandom(seed);
  }

  async propose(request: ProposalRequest): Promise<ProposalOutcome> {
    if (this.knobs.length === 0) {
      return { kind: 'exhausted', reason: 'the parameter search has no knobs: declare "knobs" in .aiai/config.json' };
    }
    const best = await this.pointAt(request, request.parent.commit);
    if (!best) return { kind: 'exhausted', reason: 'the knobs cannot be read at the parent version' };

    const tried = new Set<string>([...this.proposed, this.key(best)]);
    for (const attempt of request.history) {
      const point = attempt.commit ? await this.pointAt(request, attempt.commit) : undefined;
      if (point) tried.add(this.key(point));
    }
    const fromBest = request.history.filter((a) => a.parentCommit === request.parent.commit);
    const momentum = await this.lastStep(request, request.history, request.parent.commit);

    const choice = this.choose(best, tried, fromBest.length, momentum);
    if (!choice) return { kind: 'exhausted', reason: 'every point of the knobs grid has been tried' };
    this.proposed.add(this.key(choice.point));
    const edits = await this.editsFor(request, best, choice.point);
    const changes = this.knobs
      .map((k, i) => (best[i] !== choice.point[i] ? `${k.name} ${this.format(k, best[i]!)} → ${this.format(k, choice.point[i]!)}` : ''))
      .filter(Boolean);
    return {
      kind: 'proposal',
      proposal: {
        title: changes.join(', '),
        rationale: `${choice.why}, from the best point so far (${request.objective.metric} ${formatNumber(request.parent.objectiveValue)}).`,
        edits,
      },
    };
  }

  private choose(best: Point, tried: Set<string>, triesFromBest: number, momentum: Point | undefined): { point: Point; why: string } | undefined {
    const fresh = (p: Point): boolean => this.inRange(p) && !tried.has(this.key(p));
    if (momentum) {
      const ahead = best.map((v, i) => v + momentum[i]!);
      if (fresh(ahead)) return { point: ahead, why: 'Parameter search: kept going in the direction that improved' };
    }
    if (triesFromBest >= Math.min(PLATEAU_AFTER, 2 * this.knobs.length)) {
      // Neighbours score the same: restart far from every point tried. Such spread
      // restarts cover the grid faster than random draws, so a gain a random draw
      // would find is found at least as soon.
      const point = this.spreadPoint(fresh, [...tried].map((k) => k.split(',').map(Number)));
      if (point) return { point, why: 'Parameter search: neighbours score the same, so a restart far from every point tried' };
    }
    for (const { point, why } of this.moves(best)) {
      if (fresh(point)) return { point, why };
    }
    const point = this.randomPoint(fresh);
    return point ? { point, why: 'Parameter search: random restart' } : undefined;
  }

  /** Of a few random points, the one farthest (in steps) from everything tried. */
  private spreadPoint(fresh: (p: Point) => boolean, tried: Point[]): Point | undefined {
    let best: { point: Point; distance: number } | undefined;
    for (let i = 0; i < SPREAD_SAMPLES; i++) {
      const point = this.randomPoint(fresh);
      if (!point) break;
      const distance = Math.min(...tried.map((t) => this.distance(point, t)));
      if (!best || distance > best.distance) best = { point, distance };
    }
    return best?.point;
  }

  private distance(a: Point, b: Point): number {
    return Math.hypot(...a.map((v, i) => (v - b[i]!) / (this.knobs[i]!.max - this.knobs[i]!.min)));
  }

  /** Single-knob steps, then joint steps of every pair, at doubling scales. */
  private *moves(best: Point): Generator<{ point: Point; why: string }> {
    const n = this.knobs.length;
    const widest = Math.max(...this.knobs.map((k) => (k.max - k.min) / k.step));
    for (let scale = 1; scale <= widest; scale *= 2) {
      const label = scale === 1 ? 'a step' : `a ${scale}× step`;
      for (const i of this.shuffled([...Array(n).keys()])) {
        for (const sign of this.shuffled([1, -1])) {
          yield { point: this.moved(best, [[i, sign * scale]]), why: `Parameter search: ${label} of one knob` };
        }
      }
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          for (const [a, b] of this.shuffled([[1, 1], [1, -1], [-1, 1], [-1, -1]] as const)) {
            yield { point: this.moved(best, [[i, a * scale], [j, b * scale]]), why: `Parameter search: ${label} of two knobs together` };
          }
        }
      }
    }
  }

  private moved(point: Point, steps: Array<[number, number]>): Point {
    const next = [...point];
    for (const [i, multiple] of steps) next[i] = round(next[i]! + multiple * this.knobs[i]!.step);
    return next;
  }

  private randomPoint(fresh: (p: Point) => boolean): Point | undefined {
    for (let t = 0; t < RANDOM_TRIES; t++) {
      const point = this.knobs.map((k) => {
        const stepsInRange = Math.floor(round((k.max - k.min) / k.step));
        return round(k.min + Math.floor(this.random() * (stepsInRange + 1)) * k.step);
      });
      if (fresh(point)) return point;
    }
    return undefined;
  }

  /** One step per knob in the direction that led to the parent, if that move was an improvement. */
  private async lastStep(request: ProposalRequest, history: Attempt[], commit: string): Promise<Point | undefined> {
    const arrival = history.find((a) => a.commit === commit && a.outcome === 'improved');
    if (!arrival) return undefined;
    const [from, to] = await Promise.all([this.pointAt(request, arrival.parentCommit), this.pointAt(request, commit)]);
    return from && to ? to.map((v, i) => Math.sign(round(v - from[i]!)) * this.knobs[i]!.step) : undefined;
  }

  private async pointAt(request: ProposalRequest, commit: string): Promise<Point | undefined> {
    if (this.pointCache.has(commit)) return this.pointCache.get(commit);
    const values: number[] = [];
    for (const knob of this.knobs) {
      const text = await request.readFile(commit, knob.file);
      const read = text === undefined ? undefined : readKnobValue(knob, text);
      if (!read?.ok) {
        this.pointCache.set(commit, undefined);
        return undefined;
      }
      values.push(read.value);
    }
    this.pointCache.set(commit, values);
    return values;
  }

  private async editsFor(request: ProposalRequest, from: Point, to: Point): Promise<Edit[]> {
    const texts = new Map<string, string>();
    const edits: Edit[] = [];
    for (const [i, knob] of this.knobs.entries()) {
      if (from[i] === to[i]) continue;
      const text = texts.get(knob.file) ?? (await request.readFile(request.parent.commit, knob.file))!;
      const read = readKnobValue(knob, text);
      if (!read.ok) throw new Error(read.error);
      const edit = editAt(knob.file, text, read.offset, read.length, this.format(knob, to[i]!));
      edits.push(edit);
      const at = text.indexOf(edit.search);
      texts.set(knob.file, text.slice(0, at) + edit.replace + text.slice(at + edit.search.length));
    }
    return edits;
  }

  private inRange(point: Point): boolean {
    return point.every((v, i) => v >= this.knobs[i]!.min - 1e-9 && v <= this.knobs[i]!.max + 1e-9);
  }

  private key(point: Point): string {
    return point.map((v, i) => this.format(this.knobs[i]!, v)).join(',');
  }

  private format(knob: Knob, value: number): string {
    return formatKnobValue(knob, value);
  }

  private shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
