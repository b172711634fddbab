/** A metric as people read it: at most four decimals, of its mantissa past 1e21, where it is written with an exponent. */
export function formatNumber(n: number): string {
  // Not through Number(): the largest number, rounded up to 1.7977e+308, would read back as Infinity.
  if (Math.abs(n) >= 1e21) return n.toPrecision(5).replace(/\.?0+e/, 'e');
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

/** A delta with its sign: "+0.05", "-0.1". */
export function formatSigned(n: number): string {
  return `${n < 0 ? '-' : '+'}${formatNumber(Math.abs(n))}`;
}

/** The last `n` lines of a log, without its trailing blank lines: what a person reads first when something failed. */
export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** A parent as people read it: a candidate id, or "baseline" (null in the data). */
export function parentName(parent: string | null): string {
  return parent ?? 'baseline';
}

/** "baseline → 1a2b3c4d → 5e6f7a8b": the versions a candidate grew from, then the candidate. */
export function lineageText(lineage: string[], id: string): string {
  return [parentName(null), ...lineage, id].join(' → ');
}

/** "v2 (1a2b3c4d)", or the short commit alone when it is not an aiai version. */
export function versionText(v: { version?: string; commit: string }): string {
  return v.version ? `${v.version} (${v.commit.slice(0, 8)})` : v.commit.slice(0, 8);
}
