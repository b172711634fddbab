import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectParent, type ParentNode } from '../../src/core/loop/parentSelection';
import { seededRandom } from '../../src/core/common/random';
import { runLoop } from '../../src/core/loop/loop';
import { agentWorkspace } from '../fixtures/agentWorkspace';

const max = { direction: 'maximize' as const };
const nodes: ParentNode[] = [
  { id: null, parentId: null, objectiveValue: 0.2 },
  { id: 'good', parentId: null, objectiveValue: 0.8 },
  { id: 'weak', parentId: null, objectiveValue: 0.3 },
  { id: 'good-child', parentId: 'good', objectiveValue: 0.7 },
];

function draws(strategy: 'archive' | 'tree', children: Map<string | null, number>, n = 2000): Map<string, number> {
  const random = seededRandom(11);
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = selectParent(strategy, nodes, children, max, random).id ?? 'baseline';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

test('greedy takes the best so far', () => {
  assert.equal(selectParent('greedy', nodes, new Map(), max, seededRandom(1)).id, 'good');
  assert.equal(selectParent('greedy', nodes, new Map(), { direction: 'minimize' }, seededRandom(1)).id, null);
});

test('archive draws every version, more often the better ones and those with fewer children', () => {
  const fresh = draws('archive', new Map());
  for (const id of ['baseline', 'good', 'weak', 'good-child']) assert.ok((fresh.get(id) ?? 0) > 0, `${id} is drawn`);
  assert.ok(fresh.get('good')! > fresh.get('weak')!, 'a higher score, a higher chance');
  const crowded = draws('archive', new Map([['good', 9]]));
  assert.ok(crowded.get('good')! < fresh.get('good')! / 3, 'many children, a lower chance');
});

test('tree favours the lineage whose descendants did well, and explores one tried little', () => {
  assert.equal(selectParent('tree', nodes, new Map([[null, 3], ['good', 1], ['weak', 1], ['good-child', 1]]), max, seededRandom(1)).id, 'good');
  const explored = selectParent('tree', nodes, new Map([[null, 1], ['good', 40], ['weak', 0], ['good-child', 40]]), max, seededRandom(1));
  assert.equal(explored.id, 'weak', 'the lineage tried least gets its turn');
});

test('a run with the archive strategy builds on versions other than the best so far, and records the lineage', async () => {
  const dir = agentWorkspace({ config: { search: { strategy: 'archive' }, budget: { iterations: 8 }, proposer: { kind: 'parameter-search', seed: 5 } } });
  const summary = await runLoop(dir, { signal: new AbortController().signal });
  const byId = new Map(summary.candidates.map((c) => [c.id, c]));
  assert.ok(summary.candidates.every((c) => c.parent.id === null || byId.has(c.parent.id)), 'every parent is a recorded version');
  const pending = summary.candidates.filter((c) => c.status === 'pending');
  assert.ok(pending.every((c) => c.objective!.value > 0.2), 'whatever it grew from, a candidate awaiting review beats the current version');
  // Greedy would always build on the best version so far; the archive does not.
  const notTheBest = summary.candidates.filter((c, i) => {
    const earlier = summary.candidates.slice(0, i).filter((e) => e.status === 'pending');
    const best = earlier.reduce<{ id: string | null; value: number }>((b, e) => (e.objective!.value > b.value ? { id: e.id, value: e.objective!.value } : b), { id: null, value: 0.2 });
    return c.parent.id !== best.id;
  });
  assert.ok(notTheBest.length > 0, 'it built on versions other than the best so far');
});
