import type { RunPoint } from '../src/protocol';

/** A candidate of the run in its lineage, with the candidates of the run built on it. */
export interface LineageNode {
  point: RunPoint;
  children: LineageNode[];
}

/**
 * Where a branch of the run's lineage starts: the baseline (null), or a parent outside
 * the run (a candidate of an earlier run, built on again with `--from-archive` or on
 * resuming), with the candidates of the run built directly on it.
 */
export interface LineageRoot {
  parent: string | null;
  children: LineageNode[];
}

/**
 * The run's lineage as trees: the baseline's first (even with no child, as where the
 * run starts), then one per parent outside the run, in the order the run first built
 * on each. Every candidate of the run is in exactly one of them.
 */
export function lineageRoots(points: RunPoint[]): LineageRoot[] {
  const inRun = new Set(points.map((p) => p.id));
  const children = new Map<string | null, RunPoint[]>();
  for (const p of points) children.set(p.parent, [...(children.get(p.parent) ?? []), p]);
  const grow = (parent: string | null): LineageNode[] => (children.get(parent) ?? []).map((point) => ({ point, children: grow(point.id) }));
  const outside = [...new Set(points.flatMap((p) => (p.parent !== null && !inRun.has(p.parent) ? [p.parent] : [])))];
  return [
    { parent: null, children: grow(null) },
    ...outside.map((parent) => ({ parent, children: grow(parent) })),
  ];
}
