import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Told of what an evaluation starts outside this process, and when it is gone: what
 * a crash (kill -9) would leave running, for the next run to end. The run lock
 * keeps it on disk (loop/runLock.ts).
 */
export interface EvalLedger {
  /** A local eval's process group. */
  started(group: number): void;
  ended(group: number): void;
  /** A Slurm job, with the name it was given so that a reused id is never taken for it. */
  jobSubmitted(id: string, name: string): void;
  jobEnded(id: string): void;
}

const ledgers = new AsyncLocalStorage<EvalLedger>();

/** Runs `work` with everything it starts, however deep in its calls, told to `ledger`. */
export function withLedger<T>(ledger: EvalLedger, work: () => Promise<T>): Promise<T> {
  return ledgers.run(ledger, work);
}

/** The ledger of the work this call belongs to, if any. */
export function currentLedger(): EvalLedger | undefined {
  return ledgers.getStore();
}
