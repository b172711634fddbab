/** Latin hypercubes drawn to pick the best-spread one from. */
const DRAWS = 32;

/**
 * `n` cells of the unit cube, one in each of `n` slices of every axis (a Latin
 * hypercube), so that each knob's range is covered evenly however many knobs
 * there are. Of several such designs it keeps the one whose closest pair of
 * cells, and closest cell to the points already known, are farthest apart
 * (maximin), so no two opening proposals are near each other or the start.
 */
export function latinHypercube(n: number, dimensions: number, random: () => number, known: number[][] = []): number[][] {
  let best: { cells: number[][]; spread: number } | undefined;
  for (let draw = 0; draw < DRAWS; draw++) {
    const columns = Array.from({ length: dimensions }, () => shuffled(n, random));
    const cells = Array.from({ length: n }, (_, row) => columns.map((column) => (column[row]! + random()) / n));
    const spread = closest(cells, known);
    if (!best || spread > best.spread) best = { cells, spread };
  }
  return best?.cells ?? [];
}

function closest(cells: number[][], known: number[][]): number {
  let min = Infinity;
  for (const [i, a] of cells.entries()) {
    for (const b of [...cells.slice(i + 1), ...known]) min = Math.min(min, Math.hypot(...a.map((v, k) => v - b[k]!)));
  }
  return min;
}

/** 0..n−1 in a random order (Fisher–Yates). */
function shuffled(n: number, random: () => number): number[] {
  const out = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
