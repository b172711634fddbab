/** US dollars per million tokens. */
export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWritePerMTok: number;
  cacheReadPerMTok: number;
}

/** Tokens of one call, or of many, by kind. */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

/** A model's list price, US dollars per million tokens. */
export interface ListPrice {
  input: number;
  output: number;
  /** A cache read as a share of the input price. */
  cacheRead: number;
}

const price = (input: number, output: number, cacheRead = 0.1): ListPrice => ({ input, output, cacheRead });

/**
 * Anthropic's published list prices (platform docs, checked December 2026), most
 * specific first: the first line whose pattern matches a model id prices it. A
 * 5-minute cache write costs 1.25× input. Haiku 5.5's price is that of prompts up
 * to 100k tokens.
 */
const LIST_PRICES: Array<{ line: RegExp; price: ListPrice }> = [
  { line: /(?:fable|mythos)-5-[1-9]/, price: price(10, 50, 0.025) },
  { line: /fable|mythos/, price: price(10, 50) },
  { line: /opus-5-5/, price: price(4, 20, 0.05) },
  { line: /claude-3-opus|opus-4-(?:0|1)\b|opus-4-(?:0-)?20\d{6}|opus-4$/, price: price(15, 75) },
  { line: /opus/, price: price(5, 25) },
  { line: /sonnet-5-5/, price: price(2, 10, 0.05) },
  { line: /sonnet-5/, price: price(2, 10) },
  { line: /sonnet/, price: price(3, 15) },
  { line: /haiku-5-5/, price: price(0.1, 0.5) },
  { line: /claude-3-haiku/, price: price(0.25, 1.25) },
  { line: /claude-3-5-haiku|claude-3\.5-haiku/, price: price(0.8, 4) },
  { line: /haiku/, price: price(1, 5) },
];

/** The list price of a Claude model, or undefined for a model the table does not know. */
export function listPrice(model: string): ListPrice | undefined {
  const id = model.toLowerCase();
  if (!/claude|opus|sonnet|haiku|fable|mythos/.test(id)) return undefined;
  return LIST_PRICES.find((p) => p.line.test(id))?.price;
}

/** The dearest line's price: what an unknown model is taken to cost where a budget must not be overrun. */
export const DEAREST: ListPrice = price(15, 75);

/** A list price per kind of token: cache writes (5 minutes) at 1.25× input. */
export function pricingOf(list: ListPrice): Pricing {
  return { inputPerMTok: list.input, outputPerMTok: list.output, cacheWritePerMTok: list.input * 1.25, cacheReadPerMTok: list.input * list.cacheRead };
}

/** What `tokens` cost at `pricing`, in dollars rounded to a millionth. */
export function costOf(tokens: TokenCounts, pricing: Pricing): number {
  const dollars =
    (tokens.inputTokens * pricing.inputPerMTok +
      tokens.outputTokens * pricing.outputPerMTok +
      tokens.cacheCreationTokens * pricing.cacheWritePerMTok +
      tokens.cacheReadTokens * pricing.cacheReadPerMTok) /
    1e6;
  return Math.round(dollars * 1e6) / 1e6;
}
