import { costOf, listPrice, pricingOf, type Pricing } from '../common/modelPrices';
import type { CallTokens } from './usageReader';

/** One model call as the gateway saw it. */
export interface MeteredCall {
  /** The case the eval tagged the call with (header x-aiai-case). */
  caseId?: string | undefined;
  tokens?: CallTokens | undefined;
  latencyMs: number;
  /** The upstream's final HTTP status, or undefined when it could not be reached. */
  status?: number | undefined;
}

/** What one case's calls used, shown with its evidence. */
export interface CaseModelUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Undefined when a call's model has no known price. */
  costUsd?: number;
}

/** The metric names the gate owns; an eval may not write them itself. */
export const MODEL_METRIC_PREFIX = 'model.';

/** The price of a model for metering: the config's, else the list price; undefined when unknown. */
export function meteredPrice(model: string | undefined, pricing: Record<string, Pricing>): Pricing | undefined {
  if (model === undefined) return undefined;
  const list = listPrice(model);
  return pricing[model] ?? (list && pricingOf(list));
}

/**
 * The calls of one eval run, metered by the gateway (never by the eval): they become
 * the eval's `model.*` metrics, and each tagged case's usage.
 */
export class EvalMeter {
  private readonly calls: Array<MeteredCall & { costUsd?: number }> = [];
  /** Calls the gateway refused because the run's evaluation budget was spent. */
  refusedForBudget = 0;

  constructor(private readonly pricing: Record<string, Pricing>) {}

  /** Records a call; returns its cost, or undefined when its price is unknown. */
  record(call: MeteredCall): number | undefined {
    const price = call.tokens && meteredPrice(call.tokens.model, this.pricing);
    const costUsd = call.tokens && price ? costOf(call.tokens, price) : undefined;
    this.calls.push({ ...call, ...(costUsd !== undefined ? { costUsd } : {}) });
    return costUsd;
  }

  get count(): number {
    return this.calls.length;
  }

  /** The eval's model.* metrics; none when its agent called no model. */
  metrics(): Record<string, number> {
    if (this.calls.length === 0) return {};
    const sum = (f: (c: MeteredCall & { costUsd?: number }) => number): number => this.calls.reduce((n, c) => n + f(c), 0);
    const tokens = (field: Exclude<keyof CallTokens, 'model'>): number => sum((c) => c.tokens?.[field] ?? 0);
    const answered = this.calls.filter((c) => c.status !== undefined && c.status < 400);
    const unpriced = answered.filter((c) => c.tokens && c.costUsd === undefined).length;
    const unmetered = answered.filter((c) => !c.tokens).length;
    const errors = this.calls.filter((c) => c.status === undefined || c.status >= 400).length;
    const metrics: Record<string, number> = {
      'model.calls': this.calls.length,
      'model.input_tokens': tokens('inputTokens'),
      'model.output_tokens': tokens('outputTokens'),
      'model.cost_usd': roundUsd(sum((c) => c.costUsd ?? 0)),
      'model.latency_ms': median(this.calls.map((c) => c.latencyMs)),
    };
    const optional: Record<string, number> = {
      'model.cache_read_tokens': tokens('cacheReadTokens'),
      'model.cache_write_tokens': tokens('cacheCreationTokens'),
      'model.errors': errors,
      // Calls whose model has no price: model.cost_usd leaves them out, and says so by this count.
      'model.unpriced_calls': unpriced,
      // Answers that reported no usage (an OpenAI stream without stream_options.include_usage): counted, not measured.
      'model.unmetered_calls': unmetered,
    };
    for (const [name, value] of Object.entries(optional)) if (value > 0) metrics[name] = value;
    return metrics;
  }

  /** Each tagged case's calls, tokens and cost. */
  byCase(): Map<string, CaseModelUsage> {
    const cases = new Map<string, CaseModelUsage>();
    for (const call of this.calls) {
      if (call.caseId === undefined) continue;
      const seen = cases.get(call.caseId);
      const known = seen === undefined || seen.costUsd !== undefined;
      const cost = known && call.costUsd !== undefined ? roundUsd((seen?.costUsd ?? 0) + call.costUsd) : undefined;
      cases.set(call.caseId, {
        calls: (seen?.calls ?? 0) + 1,
        inputTokens: (seen?.inputTokens ?? 0) + (call.tokens?.inputTokens ?? 0),
        outputTokens: (seen?.outputTokens ?? 0) + (call.tokens?.outputTokens ?? 0),
        ...(cost !== undefined ? { costUsd: cost } : {}),
      });
    }
    return cases;
  }
}

export function roundUsd(n: number): number {
  return Math.round(n * 1e8) / 1e8;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return Math.round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}
