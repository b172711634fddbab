/** Length scales tried, as shares of the unit cube's diagonal. */
const LENGTHS = [0.05, 0.1, 0.2, 0.35, 0.6, 1];
/** Noise variances tried (on standardized scores) when the evals do not measure it. */
const NUGGETS = [1e-6, 0.01, 0.1];
/** A fit on more points than this keeps the latest ones: the cost grows with their cube. */
export const MOST_POINTS = 120;

/**
 * A Gaussian process over the points evaluated so far: what the score is likely
 * to be at a point not yet tried. It only ranks a step's candidates (below), so a
 * single length scale and noise level, fit by their marginal likelihood over a
 * small grid, are enough.
 */
export class Surrogate {
  private constructor(
    private readonly xs: number[][],
    private readonly alpha: number[],
    private readonly chol: number[][],
    private readonly length: number,
    private readonly distance: (a: number[], b: number[]) => number,
    private readonly mean: number,
    private readonly scale: number,
  ) {}

  /**
   * Fits the points `xs` with scores `ys` (higher is better); `noise` is the
   * standard error of a score when the evals measure it. Undefined for fewer than
   * three points or scores that are all the same.
   */
  static fit(xs: number[][], ys: number[], distance: (a: number[], b: number[]) => number, diagonal: number, noise?: number): Surrogate | undefined {
    if (xs.length < 3) return undefined;
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const scale = Math.sqrt(ys.reduce((a, y) => a + (y - mean) ** 2, 0) / ys.length);
    if (!(scale > 0)) return undefined;
    const z = ys.map((y) => (y - mean) / scale);
    const d = xs.map((a) => xs.map((b) => distance(a, b)));
    const nuggets = noise !== undefined ? [Math.max(1e-6, (noise / scale) ** 2)] : NUGGETS;
    let best: { evidence: number; chol: number[][]; alpha: number[]; length: number } | undefined;
    for (const share of LENGTHS) {
      const length = share * diagonal;
      for (const nugget of nuggets) {
        const chol = cholesky(d.map((row, i) => row.map((r, j) => matern(r, length) + (i === j ? nugget : 0))));
        if (!chol) continue;
        const alpha = solve(chol, z);
        // The log marginal likelihood, less its constant: fit against complexity.
        const evidence = -0.5 * z.reduce((a, v, i) => a + v * alpha[i]!, 0) - chol.reduce((a, row, i) => a + Math.log(row[i]!), 0);
        if (!best || evidence > best.evidence) best = { evidence, chol, alpha, length };
      }
    }
    return best && new Surrogate(xs, best.alpha, best.chol, best.length, distance, mean, scale);
  }

  /**
   * An upper confidence bound on the score at `x` (GP-UCB, two standard
   * deviations): a point is rated by what it may well score, so the search goes
   * where it has not looked as well as where it did well.
   */
  optimistic(x: number[]): number {
    const { mean, sd } = this.predict(x);
    return mean + 2 * sd;
  }

  /** The expected score at `x` and its standard deviation. */
  predict(x: number[]): { mean: number; sd: number } {
    const k = this.xs.map((p) => matern(this.distance(x, p), this.length));
    const mean = k.reduce((a, v, i) => a + v * this.alpha[i]!, 0);
    const v = forward(this.chol, k);
    const variance = Math.max(0, 1 - v.reduce((a, w) => a + w * w, 0));
    return { mean: this.mean + this.scale * mean, sd: this.scale * Math.sqrt(variance) };
  }
}

/** Matérn 5/2 correlation: smooth, but not so smooth that a kink or a step misleads it much. */
function matern(r: number, length: number): number {
  const s = (Math.sqrt(5) * r) / length;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

/** Lower-triangular L with L·Lᵀ = a, or undefined when `a` is not positive definite. */
function cholesky(a: number[][]): number[][] | undefined {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (sum <= 0) return undefined;
        l[i]![i] = Math.sqrt(sum);
      } else l[i]![j] = sum / l[j]![j]!;
    }
  }
  return l;
}

/** y with L·y = b. */
function forward(l: number[][], b: number[]): number[] {
  const y: number[] = [];
  for (let i = 0; i < b.length; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y.push(sum / l[i]![i]!);
  }
  return y;
}

/** x with L·Lᵀ·x = b. */
function solve(l: number[][], b: number[]): number[] {
  const y = forward(l, b);
  const x = new Array<number>(y.length).fill(0);
  for (let i = y.length - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < y.length; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}
