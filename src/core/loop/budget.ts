import type { Budget as Limits } from '../config/config';
import { addUsage, NO_USAGE, totalInput, type Usage } from '../../shared/usage';
import type { RunState } from './runState';

/**
 * The run's spending against `budget` in the config: minutes, dollars and tokens.
 * The next proposal is estimated at the dearest so far, so a run stops before it
 * would overspend rather than after.
 */
export class Budget {
  private dearestCall: Usage = NO_USAGE;

  constructor(
    private readonly limits: Limits,
    private readonly run: RunState,
    /** Why evaluations may not call their model any more (budget.maxEvalCostUsd), which the model gateway holds. */
    private readonly evalSpending: () => string | undefined = () => undefined,
  ) {}

  spend(usage: Usage): void {
    this.run.update({ usage: addUsage(this.run.record.usage ?? NO_USAGE, usage) });
    if (usage.costUsd > this.dearestCall.costUsd || totalTokens(usage) > totalTokens(this.dearestCall)) this.dearestCall = usage;
  }

  /** Why the next candidate would break the budget, if it would. */
  problem(): string | undefined {
    const { maxMinutes } = this.limits;
    if (maxMinutes !== undefined && this.run.elapsedMs() > maxMinutes * 60_000) {
      return `time budget: the run has used its ${maxMinutes} minutes`;
    }
    return this.spendingProblem() ?? this.evalSpending();
  }

  /** Why another model call would break the cost or token budget, if it would (the time budget aside). */
  spendingProblem(): string | undefined {
    const spent = this.run.record.usage ?? NO_USAGE;
    const { maxCostUsd, maxTokens } = this.limits;
    if (maxCostUsd !== undefined && spent.costUsd + this.dearestCall.costUsd > maxCostUsd) {
      return `budget: another proposal would take the cost past $${maxCostUsd} (spent $${spent.costUsd.toFixed(4)})`;
    }
    if (maxTokens !== undefined && totalTokens(spent) + totalTokens(this.dearestCall) > maxTokens) {
      return `budget: another proposal would take the tokens past ${maxTokens} (spent ${totalTokens(spent)})`;
    }
    return undefined;
  }
}

function totalTokens(u: Usage): number {
  return totalInput(u) + u.outputTokens;
}
