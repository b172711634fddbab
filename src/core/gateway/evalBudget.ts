import { costOf, DEAREST, pricingOf } from '../common/modelPrices';
import type { CallTokens } from './usageReader';

/**
 * budget.maxEvalCostUsd, held by the gateway. A call is let through only while the
 * money spent, plus the calls in flight and this one each taken to cost as much as
 * the dearest call so far, stays within the budget; a call to a model without a
 * known price counts at the dearest list price, so that no unpriced model can spend
 * past it unseen.
 */
export class EvalBudget {
  private spentUsd = 0;
  private dearestUsd = 0;
  private inFlight = 0;

  constructor(readonly maxUsd: number | undefined) {}

  /** What a resumed run had spent before. */
  resume(spentUsd: number): void {
    this.spentUsd = spentUsd;
  }

  /** Room for one call, or undefined when there is none; settle it once the call ends. */
  reserve(): { settle(costUsd: number | undefined, tokens: CallTokens | undefined): void } | undefined {
    if (this.maxUsd !== undefined && (this.spentUsd >= this.maxUsd || this.spentUsd + (this.inFlight + 1) * this.dearestUsd > this.maxUsd)) return undefined;
    this.inFlight++;
    let settled = false;
    return {
      settle: (costUsd, tokens) => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        const charged = costUsd ?? (tokens ? costOf(tokens, pricingOf(DEAREST)) : 0);
        this.spentUsd += charged;
        this.dearestUsd = Math.max(this.dearestUsd, charged);
      },
    };
  }

  /** Why another call would break the budget, if it would. */
  problem(): string | undefined {
    const max = this.maxUsd;
    if (max === undefined || (this.spentUsd < max && this.spentUsd + this.dearestUsd <= max)) return undefined;
    return `evaluation budget: another model call would take what evaluations spent past budget.maxEvalCostUsd $${max} (spent $${this.spentUsd.toFixed(4)})`;
  }
}
