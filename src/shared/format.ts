/** A metric as people read it: at most four decimals. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

/** A delta with its sign: "+0.05", "-0.1". */
export function formatSigned(n: number): string {
  return `${n < 0 ? '-' : '+'}${formatNumber(Math.abs(n))}`;
}
