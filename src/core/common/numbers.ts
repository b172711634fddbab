/**
 * Rounds away float noise (0.1 + 0.2) so deltas print as people expect. A number so
 * large that n * 1e9 overflows has no such noise and is kept as it is (1e308 became
 * Infinity). A difference past what a number holds (of two metrics near ±1.8e308)
 * is kept as the largest number of its sign: a record, being JSON, cannot hold
 * Infinity, which was read back as 0.
 */
export function round(n: number): number {
  if (!Number.isFinite(n)) return Math.sign(n) * Number.MAX_VALUE;
  const scaled = n * 1e9;
  return Number.isFinite(scaled) ? Math.round(scaled) / 1e9 : n;
}
