/** Tokens a model call used, and what they cost. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

/** US dollars per million tokens. */
export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWritePerMTok: number;
  cacheReadPerMTok: number;
}

/** Published list prices by model line; cache writes cost 1.25× input, cache reads 0.1×. */
const LIST_PRICES: Array<{ line: RegExp; input: number; output: number }> = [
  { line: /haiku/, input: 1, output: 5 },
  { line: /sonnet/, input: 3, output: 15 },
  { line: /opus/, input: 5, output: 25 },
];

/**
 * The price of a model: the config's, else the list price of its line. An unknown
 * line is priced as the dearest, so a budget stops early rather than late.
 */
export function pricingFor(model: string, override?: Partial<Pricing>): Pricing {
  const list = LIST_PRICES.find((p) => p.line.test(model)) ?? LIST_PRICES[LIST_PRICES.length - 1]!;
  const input = override?.inputPerMTok ?? list.input;
  return {
    inputPerMTok: input,
    outputPerMTok: override?.outputPerMTok ?? list.output,
    cacheWritePerMTok: override?.cacheWritePerMTok ?? input * 1.25,
    cacheReadPerMTok: override?.cacheReadPerMTok ?? input * 0.1,
  };
}

export function costOf(tokens: Omit<Usage, 'costUsd'>, pricing: Pricing): number {
  const dollars =
    (tokens.inputTokens * pricing.inputPerMTok +
      tokens.outputTokens * pricing.outputPerMTok +
      tokens.cacheCreationTokens * pricing.cacheWritePerMTok +
      tokens.cacheReadTokens * pricing.cacheReadPerMTok) /
    1e6;
  return Math.round(dollars * 1e6) / 1e6;
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
