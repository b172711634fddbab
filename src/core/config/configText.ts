/* Pieces of the config text that `aiai init` writes: lists and objects on one line each. */

/** A list of strings on one line: `["a", "b"]`. */
export function list(items: string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/** An object on one line, as the rest of the config is written. */
export function inline(value: Record<string, unknown>): string {
  const shown = (v: unknown): string => (v !== null && typeof v === 'object' && !Array.isArray(v) ? inline(v as Record<string, unknown>) : JSON.stringify(v));
  return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${shown(v)}`).join(', ')} }`;
}
