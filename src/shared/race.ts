/* What racing spared in a run, as the CLI's summary and the review panel's run picture show it. */

/** What racing did in a run: the case runs its races took against those full gradings would have taken, and the gateway-metered spend it spared. */
export interface RaceTally {
  /** Candidates graded by a race, and those it stopped before their last case. */
  candidates: number;
  stopped: number;
  cases: number;
  /** The cases a full grading of the same candidates would have run. */
  of: number;
  /** Of the evals' model spend, what the cases not run would have cost at their parents' rate (model.cost_usd, model.calls). */
  sparedCostUsd: number;
  sparedCalls: number;
}
