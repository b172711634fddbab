import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunPoint } from '../../src/protocol';
import { lineageRoots, type LineageNode } from '../../webview/lineageTree';

function point(id: string, parent: string | null): RunPoint {
  return { id, parent, status: 'rejected', title: `candidate ${id}` };
}

/** Every candidate drawn under a tree, depth first, with the parent it is drawn under. */
function drawn(nodes: LineageNode[], under: string | null): Array<[string, string | null]> {
  return nodes.flatMap((n) => [[n.point.id, under] as [string, string | null], ...drawn(n.children, n.point.id)]);
}

test('a run built on the baseline and on candidates of earlier runs shows every candidate, each under its parent', () => {
  // As the run finished them: b1 on the baseline; a1 and a2 on an earlier run's old1; c1 on a1; d1 on the archive's old2.
  const points = [point('b1', null), point('a1', 'old1'), point('c1', 'a1'), point('a2', 'old1'), point('d1', 'old2')];
  const roots = lineageRoots(points);
  assert.deepEqual(
    roots.map((r) => r.parent),
    [null, 'old1', 'old2'],
    'the baseline, then each parent outside the run once, in the order the run first built on it',
  );
  const shown = roots.flatMap((r) => drawn(r.children, r.parent));
  assert.deepEqual(
    shown.map(([id]) => id).sort(),
    points.map((p) => p.id).sort(),
    'every candidate of the run appears, once',
  );
  for (const [id, under] of shown) assert.equal(under, points.find((p) => p.id === id)?.parent, `${id} is drawn under its own parent`);
});

test('a run that built only on earlier candidates still starts from the baseline, with nothing under it', () => {
  const roots = lineageRoots([point('a1', 'old1'), point('a2', 'a1')]);
  assert.deepEqual(roots[0], { parent: null, children: [] });
  assert.deepEqual(drawn(roots.slice(1).flatMap((r) => r.children), 'old1'), [['a1', 'old1'], ['a2', 'a1']]);
});
