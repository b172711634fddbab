import type { Objective, SearchStrategy } from '../config/config';
import { gain } from '../grade/metrics';


export interface ParentNode {
  /** null for the baseline. */
  id: string | null;
  parentId: string | null;
  objectiveValue: number;
}

/** How sharply the archive favours high scores (the DGM's λ, on scores scaled to 0..1). */
const ARCHIVE_SHARPNESS = 4;
/** The tree's exploration weight (the c of UCB). */
const EXPLORATION = Math.SQRT1_2;

/**
 * Picks a parent among `nodes` (the baseline and the valid candidates of the run).
 * `children` counts the proposals already made from each node, by id (null for the baseline).
 */
export function selectParent<T extends ParentNode>(strategy: SearchStrategy, nodes: T[], children: ReadonlyMap<string | null, number>, objective: Pick<Objective, 'direction'>, random: () => number): T {
  const best = nodes.reduce((a, b) => (gain(objective, b.objectiveValue, a.objectiveValue) > 0 ? b : a));
  if (strategy === 'greedy' || nodes.length === 1) return best;
  const score = normalizer(nodes, objective);
  const kids = (n: ParentNode): number => children.get(n.id) ?? 0;
  if (strategy === 'archive') {
    const mid = median(nodes.map(score));
    const weights = nodes.map((n) => (1 / (1 + Math.exp(-ARCHIVE_SHARPNESS * (score(n) - mid)))) / (1 + kids(n)));
    let pick = random() * weights.reduce((a, b) => a + b, 0);
    for (const [i, node] of nodes.entries()) {
      pick -= weights[i] ?? 0;
      if (pick <= 0) return node;
    }
    return nodes.at(-1) ?? best;
  }
  // tree: each node is judged by the mean score of its subtree (itself and every descendant).
  const subtree = new Map<string | null, { sum: number; count: number }>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    for (let at: ParentNode | undefined = n; at; at = at.id === null ? undefined : byId.get(at.parentId)) {
      const s = subtree.get(at.id) ?? { sum: 0, count: 0 };
      subtree.set(at.id, { sum: s.sum + score(n), count: s.count + 1 });
    }
  }
  const total = [...children.values()].reduce((a, b) => a + b, 0) + 1;
  let chosen = best;
  let top = -Infinity;
  for (const n of nodes) {
    const s = subtree.get(n.id) ?? { sum: score(n), count: 1 };
    const ucb = s.sum / s.count + EXPLORATION * Math.sqrt(Math.log(total) / (1 + kids(n)));
    if (ucb > top) {
      top = ucb;
      chosen = n;
    }
  }
  return chosen;
}

/** Scores mapped to 0..1, 1 the best, in the objective's direction. */
function normalizer(nodes: ParentNode[], objective: Pick<Objective, 'direction'>): (n: ParentNode) => number {
  const values = nodes.map((n) => n.objectiveValue);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (hi === lo) return () => 0.5;
  return (n) => (objective.direction === 'maximize' ? (n.objectiveValue - lo) / (hi - lo) : (hi - n.objectiveValue) / (hi - lo));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
