/** An accepted version's objective, for the trend across runs. */
export interface TrendPoint {
  /** v0 is the baseline. */
  version: string;
  kind: 'baseline' | 'approval' | 'rollback';
  date: string;
  /** The objective metric at this version; null when it was never measured. */
  value: number | null;
}

/** What one run cost and how much it evaluated. */
export interface RunCost {
  id: string;
  startedAt: string;
  /** Dollars the proposer spent on model calls; 0 for a proposer without a model. */
  costUsd: number;
  /** Dollars evaluations spent on their agent's model calls, metered by the gateway. */
  evalCostUsd: number;
  /** Evaluations the run ran itself: the baseline, candidates and drafts, less those it reused. */
  evaluations: number;
  candidates: number;
}

/** The trends across runs: the objective of each version of the branch, oldest first, and each run's cost, oldest first. */
export interface Trends {
  metric: string;
  versions: TrendPoint[];
  runs: RunCost[];
}
