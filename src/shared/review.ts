/**
 * The review of a candidate, as every front end shows it: plain data that crosses
 * the wire to the webview, so it lives here and not in the engine. `core/review`
 * builds it from a record; `protocol.ts` checks it on arrival.
 */
import type { Usage } from './usage';

// The lists exist at run time so that the webview can check a value it receives.
export const CANDIDATE_STATUSES = ['pending', 'approved', 'rejected', 'refused', 'failed'] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

export const EVAL_STATUSES = ['passed', 'failed', 'timeout', 'unparsable', 'gate-failed', 'interrupted'] as const;
export type EvalStatus = (typeof EVAL_STATUSES)[number];

export const EVAL_KINDS = ['gate', 'train', 'holdout'] as const;
export type EvalKind = (typeof EVAL_KINDS)[number];

/** One metric of one eval, beside the parent's value: a row of the review's delta table. */
export interface MetricRow {
  eval: string;
  kind: EvalKind;
  status: EvalStatus;
  reason?: string;
  /** Empty, with `value` null, for an eval that gave no metric. */
  metric: string;
  parent: number | null;
  value: number | null;
  delta: number | null;
  /** Whether the change is for the better; null when unknown or not the objective's kind of number. */
  better: boolean | null;
  objective: boolean;
  /** The candidate's standard deviation over repeated runs. */
  spread?: number;
}

export interface CaseRow {
  eval: string;
  holdout: boolean;
  newlyPassing: string[];
  newlyFailing: string[];
}

/** The objective's change: against the parent, and against the version current when the run began. */
export interface ObjectiveChange {
  metric: string;
  value: number;
  parent: number;
  current: number;
  delta: number;
  deltaVsCurrent: number;
  /** Twice the standard error of `delta`, when the objective eval was repeated. */
  noise?: number;
}

/** The objective's change, and whether it is for the better. */
export interface ObjectiveRow extends ObjectiveChange {
  better: boolean;
}

/** A file the proposer did not show the model, and why. */
export interface LeftOut {
  path: string;
  reason: string;
}

/** One tool call of the agent conversation that made a candidate. */
export interface ConversationStep {
  tool: string;
  /** The call's input, as JSON text. */
  input: string;
  /** The start of what the tool answered. */
  result: string;
  isError: boolean;
}

/** What one model of a run did: its proposals, how many improved, and their cost. */
export interface ModelTally {
  model: string;
  proposals: number;
  improvements: number;
  usage: Usage;
}

/** What a person needs to judge a candidate. */
export interface Review {
  id: string;
  title: string;
  rationale: string;
  status: CandidateStatus;
  reason?: string;
  flags: string[];
  proposer: string;
  /** The parent candidate; null for the baseline. */
  parent: string | null;
  base: string;
  contentHash?: string;
  createdAt: string;
  durationMs: number;
  objective?: ObjectiveRow;
  metrics: MetricRow[];
  cases: CaseRow[];
  diff: string;
  changedPaths: string[];
  usage?: Usage;
  leftOut?: LeftOut[];
  /** The candidates it grew from, oldest first; empty when it grew from the baseline. */
  lineage: string[];
  /** The model that proposed it, when the proposer has several. */
  model?: string;
  /** How it got here: the tool calls of the agent conversation that made it. */
  conversation?: ConversationStep[];
  /** The candidate a person kept part of to make this one (Evaluate Selection, `aiai derive`). */
  derivedFrom?: string;
}
