import type { CaseResult, Metrics } from './metrics';

/* What grading a commit produced: one outcome per eval that ran, in cascade order. */

import type { EvalStatus } from '../../shared/review';

export type { EvalStatus };

export interface Repeated {
  /** How many times the eval ran. */
  runs: number;
  /** The standard deviation of each metric over the runs. */
  spread: Metrics;
}

export interface EvalOutcome {
  name: string;
  holdout: boolean;
  gate: boolean;
  status: EvalStatus;
  reason?: string;
  metrics: Metrics;
  cases: CaseResult[];
  /** What the eval said about the run as a whole (the metrics file's `feedback`). */
  feedback?: string;
  /** What was left out of its metrics and cases to keep the record bounded. */
  cut?: string;
  exitCode: number | null;
  durationMs: number;
  logFile: string;
  logTail: string;
  /** When the eval ran more than once: then `metrics` are the means of its runs. */
  repeated?: Repeated;
  /**
   * A two-phase eval's grader, when it ran: its log is for the person, never for a
   * proposer (a grader prints answers), while `logFile` and `logTail` are the command's.
   */
  graded?: GraderRun;
  /**
   * Protected or holdout-only files whose content this train-side eval's cases,
   * feedback or log held: none of it reaches a proposer (the person sees it all).
   */
  leaked?: string[];
  /** A racing eval's cases run against all its parent's: `cases` < `of` when the race stopped it (its metrics are then of those cases alone). */
  raced?: { cases: number; of: number };
  /** This train-side eval is a split's train view, whose command ran the holdout view's cases too: its log is the person's alone. */
  ranHoldoutCases?: true;
}

export interface GraderRun {
  logFile: string;
  logTail: string;
  exitCode: number | null;
  durationMs: number;
}

/** The log a person reads for an eval that failed: the grader's when it ran, else the command's. */
export function failureLog(outcome: EvalOutcome): { file: string; tail: string } {
  return outcome.graded ? { file: outcome.graded.logFile, tail: outcome.graded.logTail } : { file: outcome.logFile, tail: outcome.logTail };
}

export interface Evaluation {
  commit: string;
  ok: boolean;
  reason?: string;
  evals: EvalOutcome[];
  /** Protected files that differed from the baseline after the evals ran. */
  tamperedPaths: string[];
  durationMs: number;
}
