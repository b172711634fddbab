/** Tokens a model call used, and what they cost. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

export const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationTokens: a.cacheCreationTokens + b.cacheCreationTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    costUsd: Math.round((a.costUsd + b.costUsd) * 1e6) / 1e6,
  };
}

/** All input tokens of a call: uncached, written to the cache, and read from it. */
export function totalInput(u: Usage): number {
  return u.inputTokens + u.cacheCreationTokens + u.cacheReadTokens;
}

/** "12,345 input tokens (10,000 read from the cache, 1,200 written) · 300 output · $0.0123" */
export function describeUsage(u: Usage): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const cache = u.cacheReadTokens || u.cacheCreationTokens ? ` (${n(u.cacheReadTokens)} read from the cache, ${n(u.cacheCreationTokens)} written)` : '';
  return `${n(totalInput(u))} input tokens${cache} · ${n(u.outputTokens)} output · $${u.costUsd.toFixed(4)}`;
}

/** "2 model calls · 840 input tokens · 64 output · $0.0012" (cost unknown for a model without a price). */
export function describeCaseCalls(m: { calls: number; inputTokens: number; outputTokens: number; costUsd?: number }): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const cost = m.costUsd === undefined ? 'cost unknown' : `$${m.costUsd.toFixed(4)}`;
  return `${n(m.calls)} model call${m.calls === 1 ? '' : 's'} · ${n(m.inputTokens)} input tokens · ${n(m.outputTokens)} output · ${cost}`;
}
