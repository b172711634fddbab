import assert from 'node:assert/strict';
import { test } from 'node:test';
import { knobLoop, type KnobProblem, type LoopResult } from '../../bench/knobLoop';
import type { Knob, KnobValue } from '../../src/core/config/knobs';
import { ParameterSearch } from '../../src/core/propose/parameterSearch';

/*
 * The parameter search driven as the loop drives it (bench/knobLoop.ts: the loop's
 * parent selection and verdict, a real ProposalRequest with the history of
 * attempts), over files in memory.
 */

const knob = (name: string, min: number, max: number, step: number): Knob => ({ name, file: 'params.json', jsonPointer: `/${name}`, min, max, step });
const params = (values: Record<string, KnobValue>): Record<string, string> => ({ 'params.json': `${JSON.stringify(values, null, 2)}\n` });

function run(problem: KnobProblem, iterations: number, seed = 1, strategy: 'greedy' | 'archive' | 'tree' = 'greedy'): Promise<LoopResult> {
  return knobLoop(problem, new ParameterSearch(problem.knobs, seed), { iterations, seed, strategy });
}

/** The step sizes the rationales report, in order. */
const stepSizes = (result: LoopResult): number[] => result.made.flatMap((m) => /a step of ([\d.]+)/.exec(m.rationale)?.slice(1).map(Number) ?? []);

test('the first proposals cover the space: every knob gets one value in each slice of its range', async () => {
  const knobs = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => knob(n, 0, 99, 1));
  const result = await run({ knobs, files: params({ a: 50, b: 50, c: 50, d: 50, e: 50, f: 50 }), score: (v) => -Math.abs((v.a as number) - 20) }, 8);
  const opening = result.made.filter((m) => m.rationale.includes('of the opening design'));
  assert.ok(opening.length >= 3, `an opening of ${opening.length} points`);
  for (const k of knobs) {
    const slices = opening.map((m) => Math.floor(((m.values[k.name] as number) / 100) * opening.length));
    assert.equal(new Set(slices).size, opening.length, `knob ${k.name}: ${opening.map((m) => m.values[k.name]).join(', ')} fall in different slices of 0..99`);
  }
});

test('steps grow while they pay: a long slope is climbed in long strides, not a grid level at a time', async () => {
  const knobs = [knob('x', 0, 1, 0.01), knob('y', 0, 1, 0.01)];
  // Only x pays, and only up to 0.95: from the bottom, a walk of one level per candidate would need 90 of them.
  const score = (v: Record<string, KnobValue>): number => -Math.abs((v.x as number) - 0.95) - 0.1 * Math.abs((v.y as number) - 0.5);
  for (const seed of [1, 2, 3]) {
    const result = await run({ knobs, files: params({ x: 0.05, y: 0.5 }), score }, 20, seed);
    assert.ok(result.best > -0.1, `seed ${seed}: reached ${result.best.toFixed(3)} in 20 candidates`);
    // Each step right after a gain is longer than the one that paid (up to half the range).
    const steps = result.made.map((m) => ({ size: Number(/a step of ([\d.]+)/.exec(m.rationale)?.[1] ?? NaN), afterGain: /a gain\)/.test(m.rationale) }));
    const afterGain = steps.flatMap((s, i) => (i > 0 && s.afterGain && !Number.isNaN(s.size) && !Number.isNaN(steps[i - 1]!.size) ? [[steps[i - 1]!.size, s.size]] : []));
    assert.ok(afterGain.length > 0, `seed ${seed}: some step follows a gain`);
    for (const [before, after] of afterGain) assert.ok(after! > before! || before! >= 0.5, `seed ${seed}: a step of ${before} paid, and the next was ${after}`);
  }
});

test('never a step below the grid: every value is a level of its knob, integers stay integers, and no point is proposed twice', async () => {
  const knobs = [knob('fine', 0, 1, 0.001), knob('coarse', -1, 1, 0.25), knob('count', 1, 9, 1)];
  const score = (v: Record<string, KnobValue>): number => -(((v.fine as number) - 0.3137) ** 2 + ((v.coarse as number) - 0.5) ** 2 + (((v.count as number) - 4) / 8) ** 2);
  const result = await run({ knobs, files: params({ fine: 0.5, coarse: 0, count: 8 }), score }, 40);
  const seen = new Set<string>();
  for (const m of result.made) {
    for (const k of knobs as Array<Knob & { min: number; step: number }>) {
      const levels = ((m.values[k.name] as number) - k.min) / k.step;
      assert.ok(Math.abs(levels - Math.round(levels)) < 1e-6, `${k.name} = ${m.values[k.name]} is on its grid of ${k.step}`);
    }
    assert.ok(Number.isInteger(m.values.count), `count = ${m.values.count}`);
    assert.match(m.files['params.json']!, /"count": \d+,?\n/, 'the integer is written without a decimal point');
    assert.notDeepEqual(m.values, m.parentValues, 'every proposal moves a knob by at least one level');
    const key = JSON.stringify(m.values);
    assert.ok(!seen.has(key), `${key} proposed twice`);
    seen.add(key);
  }
  assert.ok(stepSizes(result).every((s) => s >= 0.001), 'no step is below the finest grid');
});

test('never proposes a point it has already tried, and says when the grid is exhausted', async () => {
  const knobs = [knob('a', 0, 2, 1), knob('b', 0, 2, 1)];
  const result = await run({ knobs, files: params({ a: 1, b: 1 }), score: () => 0 }, 20, 3);
  assert.match(result.exhausted ?? '', /every point of the knobs grid has been tried/);
  assert.equal(result.made.length, 8, 'the 3×3 grid minus the start');
  assert.equal(new Set(result.made.map((m) => JSON.stringify(m.values))).size, 8);
});

test('choices: strings are written as JSON strings from their set, numbers from theirs, and the best pair is found', async () => {
  const knobs: Knob[] = [
    { name: 'model', file: 'params.json', jsonPointer: '/model', choices: ['small', 'medium', 'large'] },
    { name: 'batch', file: 'params.json', jsonPointer: '/batch', choices: [8, 16, 32, 64, 128] },
  ];
  const score = (v: Record<string, KnobValue>): number => ({ small: 0.2, medium: 0.5, large: 1 })[v.model as 'small']! - Math.abs(Math.log2(v.batch as number) - 6) / 10;
  const result = await run({ knobs, files: params({ model: 'small', batch: 8 }), score }, 12);
  for (const m of result.made) {
    assert.ok(['small', 'medium', 'large'].includes(m.values.model as string), `model ${String(m.values.model)}`);
    assert.ok([8, 16, 32, 64, 128].includes(m.values.batch as number), `batch ${String(m.values.batch)}`);
    assert.doesNotThrow(() => JSON.parse(m.files['params.json']!), 'the file stays valid JSON');
  }
  assert.equal(result.best, 1, 'large with a batch of 64');
});

test('"all": true writes the one value to every match of the pattern, with the decimals the file had', async () => {
  const knobs: Knob[] = [{ name: 'temperature', file: 'prompt.md', pattern: 'temperature (\\d+\\.\\d+)', all: true, min: 0, max: 2, step: 0.1 }];
  const prompt = 'Answer at temperature 1.50.\nIf unsure, retry at temperature 1.50.\nNever exceed temperature 1.50.\n';
  const result = await run({ knobs, files: { 'prompt.md': prompt }, score: (v) => -Math.abs((v.temperature as number) - 0.3) }, 10);
  for (const m of result.made) {
    const written = [...m.files['prompt.md']!.matchAll(/temperature (\S+?)\.?\n/g)].map((x) => x[1]);
    assert.equal(written.length, 3);
    assert.deepEqual(written, [written[0], written[0], written[0]], 'one value in every place');
    assert.match(written[0]!, /^\d\.\d\d$/, 'two decimals, as the file had');
  }
  assert.ok(result.best > -0.05, `temperature found near 0.3 (score ${result.best})`);
});

// Plateaus, as real agents' knobs have them. For each, a single uniform random draw
// finds a gain with probability p, so ten random draws succeed with 1 − (1 − p)^10.
const plateaus = [
  {
    name: 'a threshold that changes nothing until it crosses a value',
    knobs: [knob('threshold', 0, 10, 1), knob('noise', 0, 10, 1), knob('other', 0, 10, 1)],
    start: { threshold: 1, noise: 5, other: 5 },
    score: (p: Record<string, KnobValue>) => ((p.threshold as number) >= 7 ? 1 : 0),
    p: 4 / 11,
  },
  {
    name: 'two knobs that only help together',
    knobs: [knob('a', 0, 10, 1), knob('b', 0, 10, 1)],
    start: { a: 0, b: 0 },
    score: (p: Record<string, KnobValue>) => ((p.a as number) >= 5 && (p.b as number) >= 5 ? 1 : 0),
    p: 36 / 121,
  },
  {
    name: 'a narrow band in the middle of the range',
    knobs: [knob('a', 0, 20, 1), knob('b', 0, 4, 1)],
    start: { a: 0, b: 0 },
    score: (p: Record<string, KnobValue>) => ((p.a as number) >= 8 && (p.a as number) <= 12 ? 1 : 0),
    p: 5 / 21,
  },
];

for (const plateau of plateaus) {
  test(`a plateau does not stall it (${plateau.name}): the gain is found within 10 candidates at least as often as by random draws`, async () => {
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    let found = 0;
    for (const seed of seeds) {
      const result = await run({ knobs: plateau.knobs, files: params(plateau.start), score: plateau.score }, 10, seed);
      if (result.best === 1) found++;
    }
    const randomDraws = 1 - (1 - plateau.p) ** 10;
    assert.ok(found / seeds.length >= randomDraws, `found with ${found}/${seeds.length} seeds; random draws would with ${randomDraws.toFixed(3)}`);
  });
}

test('noise is respected: with repeats measuring it, steps do not shrink to the grid chasing differences within the noise', async () => {
  const knobs = [knob('a', 0, 1, 0.01), knob('b', 0, 1, 0.01)];
  // Nothing pays: every difference is noise.
  const flat = (repeats: number): KnobProblem => ({ knobs, files: params({ a: 0.5, b: 0.5 }), score: () => 0.5, noise: { sd: 0.05, repeats } });
  const smallest = async (repeats: number): Promise<number> => {
    let min = Infinity;
    for (const seed of [1, 2, 3, 4, 5]) min = Math.min(min, ...stepSizes(await run(flat(repeats), 25, seed)));
    return min;
  };
  assert.ok((await smallest(4)) >= 0.04, 'measured noise: every step is at least 4 levels');
  assert.ok((await smallest(1)) <= 0.02, 'unmeasured noise looks like gains and losses, and the steps shrink to the grid');
});

test('the same seed makes the same proposals; another seed, others', async () => {
  const knobs = [knob('a', 0, 1, 0.01), knob('b', 0, 10, 1)];
  const problem: KnobProblem = { knobs, files: params({ a: 0.2, b: 3 }), score: (v) => (v.a as number) * (v.b as number), noise: { sd: 0.1, repeats: 3 } };
  const titles = async (seed: number): Promise<string[]> => (await run(problem, 15, seed)).made.map((m) => m.title);
  assert.deepEqual(await titles(4), await titles(4));
  assert.notDeepEqual(await titles(4), await titles(5));
});

test('with the archive or tree strategy it still steps from the best point, and does no worse than greedy', async () => {
  const knobs = ['a', 'b', 'c', 'd'].map((n) => knob(n, 0, 1, 0.01));
  const score = (v: Record<string, KnobValue>): number => -knobs.reduce((s, k, i) => s + ((v[k.name] as number) - [0.2, 0.8, 0.6, 0.1][i]!) ** 2, 0);
  const problem: KnobProblem = { knobs, files: params({ a: 0.5, b: 0.5, c: 0.5, d: 0.5 }), score };
  for (const seed of [1, 2, 3]) {
    const greedy = await run(problem, 20, seed, 'greedy');
    for (const strategy of ['archive', 'tree'] as const) {
      const other = await run(problem, 20, seed, strategy);
      assert.ok(other.best >= greedy.best, `seed ${seed}: ${strategy} ${other.best.toFixed(4)} against greedy ${greedy.best.toFixed(4)}`);
      const bestBefore = (i: number): string => {
        const versions = [{ values: other.made[0]!.parentValues, measured: other.start }, ...other.made.slice(0, i)];
        return JSON.stringify(versions.reduce((b, v) => (v.measured > b.measured ? v : b)).values);
      };
      assert.ok(other.made.some((m, i) => JSON.stringify(m.parentValues) !== bestBefore(i)), `${strategy} still builds on versions other than the best so far`);
    }
  }
});
