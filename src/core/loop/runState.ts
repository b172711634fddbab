import type { Store } from '../record/store';
import type { RunRecord, RunSavings } from '../record/records';
import type { RaceTally } from '../../shared/race';
import { roundUsd } from '../gateway/evalMeter';

/** The record of the run in progress, saved whole on every change. */
export class RunState {
  private current: RunRecord;

  constructor(
    private readonly store: Store,
    record: RunRecord,
  ) {
    this.current = record;
    store.saveRun(record);
  }

  get record(): RunRecord {
    return this.current;
  }

  update(change: Partial<RunRecord>): void {
    this.current = { ...this.current, ...change };
    this.store.saveRun(this.current);
  }

  /** Counts evaluation work the run did not have to do; written with the next update. */
  saved(what: keyof RunSavings, amount = 1): void {
    this.current = { ...this.current, savings: { ...this.current.savings, [what]: this.current.savings[what] + amount } };
  }

  /** Adds a candidate's race to the run's tally; written with the next update. */
  raced(tally: RaceTally): void {
    const sum = this.current.race;
    const add = (k: keyof RaceTally): number => (sum?.[k] ?? 0) + tally[k];
    this.current = { ...this.current, race: { candidates: add('candidates'), stopped: add('stopped'), cases: add('cases'), of: add('of'), sparedCostUsd: roundUsd(add('sparedCostUsd')), sparedCalls: add('sparedCalls') } };
  }

  /** How long the run has been running, over every stretch of it (a resumed run has several). */
  elapsedMs(): number {
    return (this.current.elapsedMs ?? 0) + Date.now() - Date.parse(this.current.resumedAt ?? this.current.startedAt);
  }

  finish(state: RunRecord['state'], stopReason: string | undefined, error?: string): void {
    this.update({ state, finishedAt: new Date().toISOString(), elapsedMs: this.elapsedMs(), ...(stopReason ? { stopReason } : {}), ...(error ? { error } : {}) });
  }
}
