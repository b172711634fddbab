import type { Pricing } from '../config/config';
import type { Usage } from '../../shared/usage';

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
