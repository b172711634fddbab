import type { Budget } from './budget';
import type { Pipeline } from './pipeline';
import type { CandidateRecord } from '../record/records';

/** Consecutive proposer failures (timeouts, dropped connections) after which the loop pauses. */
const PROPOSER_ERRORS_BEFORE_PAUSE = 3;

export interface SchedulerOptions {
  iterations: number;
  /** Candidates the run already made before it was resumed. */
  done: number;
  parallel: number;
  /** Candidates in a row without one awaiting review, after which the run stops. */
  patience: number | undefined;
  signal: AbortSignal;
  onCandidate(index: number, candidate: CandidateRecord): void;
}

/**
 * Runs candidates through the pipeline, `parallel` at a time, until the iterations
 * are done or a stop rule fires: a stop by the user, the budget, patience, an
 * exhausted proposer, or a proposer that keeps failing. A worker that fails stops
 * the others from starting anything new, but each finishes its candidate first.
 */
export class Scheduler {
  private started = 0;
  private failed = false;
  private stopReason: string | undefined;
  private sinceImprovement = 0;
  private proposerErrors = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly budget: Budget,
    private readonly options: SchedulerOptions,
  ) {
    this.started = options.done;
  }

  /** Runs to the end; returns why it stopped early, if it did for a reason of its own. */
  async run(): Promise<string | undefined> {
    const workers = await Promise.allSettled(Array.from({ length: this.options.parallel }, () => this.worker()));
    const failure = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failure) throw failure.reason;
    return this.stopReason;
  }

  private async worker(): Promise<void> {
    while (!this.failed && !this.stopReason && !this.options.signal.aborted && this.started < this.options.iterations) {
      const index = ++this.started;
      const overBudget = this.budget.problem();
      if (overBudget) {
        this.stop(overBudget);
        return;
      }
      let step;
      try {
        step = await this.pipeline.next();
      } catch (error) {
        this.failed = true;
        throw error;
      }
      if (step.kind === 'exhausted') this.stop(step.reason);
      if (step.kind !== 'candidate') continue;
      this.options.onCandidate(index, step.candidate);
      this.count(step.candidate, step.proposerFailure);
    }
  }

  /** Applies the stop rules that look at what candidates came to. */
  private count(candidate: CandidateRecord, proposerFailure: string | undefined): void {
    this.proposerErrors = proposerFailure === undefined ? 0 : this.proposerErrors + 1;
    if (proposerFailure !== undefined && this.proposerErrors >= PROPOSER_ERRORS_BEFORE_PAUSE) {
      this.stop(`paused: the proposer failed ${this.proposerErrors} times in a row (last: ${proposerFailure}); every record is kept, start the loop again when it can be reached`);
    }
    this.sinceImprovement = candidate.status === 'pending' ? 0 : this.sinceImprovement + 1;
    const { patience } = this.options;
    if (patience !== undefined && this.sinceImprovement >= patience) this.stop(`no improvement in ${patience} candidates in a row (patience)`);
  }

  /** The first reason to stop wins. */
  private stop(reason: string): void {
    this.stopReason ??= reason;
  }
}
