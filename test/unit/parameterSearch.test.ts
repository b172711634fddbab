import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Knob } from '../../src/core/config/config';
import { applyEdits } from '../../src/core/propose/edits';
import { readKnobValue } from '../../src/core/config/knobs';
import { ParameterSearch } from '../../src/core/propose/parameterSearch';
import type { Attempt, ProposalRequest } from '../../src/core/propose/proposer';

/**
 * Drives the proposer as the loop does, over versions of a params file kept in
 * memory: each accepted proposal becomes a new version, and the best version is the
 * parent of the next request.
 */
function searchLoop(knobs: Knob[], start: string, score: (p: Record<string, number>) => number, seed: number, iterations: number) {
  const versions = new Map<string, string>([['v0', start]]);
  const history: Attempt[] = [];
  const read = (commit: string): Record<string, number> =>
    Object.fromEntries(knobs.map((k) => [k.name, (readKnobValue(k, versions.get(commit)!) as { value: number }).value]));
  let parent = { commit: 'v0', value: score(read('v0')) };
  const proposer = new ParameterSearch(knobs, seed);
  const points: string[] = [];
  let firstGainAt: number | undefined;
  return (async () => {
    for (let i = 1; i <= iterations; i++) {
      const request: ProposalRequest = {
        objective: { eval: 'train', metric: 'score', direction: 'maximize', minDelta: 0 },
        parent: { id: null, commit: parent.commit, metrics: {}, objectiveValue: parent.value, failures: [], feedback: {} },
        base: 'v0',
        history: [...history],
        readFile: async (commit, file) => (file === 'params.json' ? versions.get(commit) : undefined),
        listFiles: async () => ['params.json'],
        diff: async () => '',
        guard: async () => undefined,
        evaluateDraft: async () => assert.fail('the parameter search never grades a draft'),
        signal: new AbortController().signal,
      };
      const outcome = await proposer.propose(request);
      if (outcome.kind !== 'proposal') return { points, firstGainAt, exhausted: true };
      const applied = await applyEdits(outcome.proposal.edits, async () => versions.get(parent.commit));
      assert.ok(applied.ok, 'the proposer made edits that apply');
      const commit = `v${i}`;
      versions.set(commit, (applied.changes[0] as { content: string }).content);
      const values = read(commit);
      points.push(JSON.stringify(values));
      const value = score(values);
      const improved = value > parent.value;
      history.push({ id: commit, title: outcome.proposal.title, outcome: improved ? 'improved' : 'not-improved', parentCommit: parent.commit, commit, objectiveValue: value, failingCases: [] });
      if (improved) {
        firstGainAt ??= i;
        parent = { commit, value };
      }
    }
    return { points, firstGainAt, exhausted: false };
  })();
}

const knob = (name: string, min: number, max: number, step: number): Knob => ({ name, file: 'params.json', jsonPointer: `/${name}`, min, max, step });

test('never proposes a point it has already tried, and says when the grid is exhausted', async () => {
  const knobs = [knob('a', 0, 2, 1), knob('b', 0, 2, 1)];
  const result = await searchLoop(knobs, '{"a": 1, "b": 1}', () => 0, 3, 20);
  assert.equal(result.exhausted, true);
  assert.equal(result.points.length, 8, 'the 3×3 grid minus the start');
  assert.equal(new Set(result.points).size, result.points.length);
  assert.ok(!result.points.includes('{"a":1,"b":1}'));
});

test('climbs a smooth objective step by step, and keeps going in a direction that paid off', async () => {
  const knobs = [knob('t', 0, 1, 0.05)];
  const result = await searchLoop(knobs, '{"t": 0.2}', (p) => -Math.abs(p.t! - 0.6), 5, 10);
  const last = JSON.parse(result.points.at(-1)!) as { t: number };
  assert.ok(result.firstGainAt! <= 2, `first gain at ${result.firstGainAt}`);
  assert.ok(result.points.some((p) => JSON.parse(p).t === 0.5), `reached 0.5: ${result.points.join(' ')}`);
  assert.ok(last.t >= 0.4);
});

// Plateaus, as real agents' knobs have them. For each, a single uniform random draw
// finds a gain with probability p, so ten random draws succeed with 1 − (1 − p)^10.
const plateaus = [
  {
    name: 'a threshold that changes nothing until it crosses a value',
    knobs: [knob('threshold', 0, 10, 1), knob('noise', 0, 10, 1), knob('other', 0, 10, 1)],
    start: '{"threshold": 1, "noise": 5, "other": 5}',
    score: (p: Record<string, number>) => (p.threshold! >= 7 ? 1 : 0),
    p: 4 / 11,
  },
  {
    name: 'two knobs that only help together',
    knobs: [knob('a', 0, 10, 1), knob('b', 0, 10, 1)],
    start: '{"a": 0, "b": 0}',
    score: (p: Record<string, number>) => (p.a! >= 5 && p.b! >= 5 ? 1 : 0),
    p: 36 / 121,
  },
  {
    name: 'a narrow band in the middle of the range',
    knobs: [knob('a', 0, 20, 1), knob('b', 0, 4, 1)],
    start: '{"a": 0, "b": 0}',
    score: (p: Record<string, number>) => (p.a! >= 8 && p.a! <= 12 ? 1 : 0),
    p: 5 / 21,
  },
];

for (const plateau of plateaus) {
  test(`on a plateau (${plateau.name}) it goes further and finds the gain within 10 iterations`, async () => {
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    const found: number[] = [];
    for (const seed of seeds) {
      const result = await searchLoop(plateau.knobs, plateau.start, plateau.score, seed, 10);
      if (result.firstGainAt !== undefined) found.push(result.firstGainAt);
    }
    const randomDraws = 1 - (1 - plateau.p) ** 10;
    assert.ok(found.length / seeds.length >= randomDraws, `found with ${found.length}/${seeds.length} seeds; random draws would with ${randomDraws.toFixed(3)}`);
  });
}
