/**
 * The review of a candidate, as every front end shows it: plain data that crosses
 * the wire to the webview, so it lives here and not in the engine. `core/review`
 * builds it from a record; `protocol.ts` checks it on arrival.
 */
import type { Diagnosis } from './diagnosis';
import type { Usage } from './usage';

// The lists exist at run time so that the webview can check a value it receives.
/** `superseded`: pending until an approval made it no longer worth applying (its change is in the branch, or no longer applies). */
export const CANDIDATE_STATUSES = ['pending', 'approved', 'rejected', 'refused', 'failed', 'superseded'] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

/**
 * The quick reasons a person may give for a rejection, beside free text: each is
 * recorded with the decision and read by the model proposer, with its meaning.
 */
export const QUICK_REASONS = ['overfits', 'too-risky', 'wrong-direction', 'style'] as const;
export type QuickReason = (typeof QUICK_REASONS)[number];

/** What each quick reason tells a proposer: a lesson, not only a label. */
export const QUICK_REASON_MEANINGS: Record<QuickReason, string> = {
  overfits: 'it fits the evaluation cases rather than the task; do not special-case inputs or tune to the cases',
  'too-risky': 'the change is too risky for its gain; prefer smaller, safer steps',
  'wrong-direction': 'this direction is not wanted; do not pursue this line of change',
  style: 'the code or prompt style is not acceptable; keep to the style of the files as they are',
};

/** A rejection's reason as people read it: "overfits: only tuned to the ids", "overfits", or the words alone. */
export function rejectionText(because: QuickReason | undefined, words: string | undefined): string | undefined {
  return [because, words?.trim()].filter(Boolean).join(': ') || undefined;
}

/** `raced-out`: a racing eval stopped the candidate before its last case (grade/race.ts); its metrics are of the cases run. */
export const EVAL_STATUSES = ['passed', 'failed', 'timeout', 'unparsable', 'gate-failed', 'interrupted', 'raced-out'] as const;
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
  /** When a race stopped the candidate: `value` is of the cases it ran, `cases` of `of`. */
  partial?: { cases: number; of: number };
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
  /** Why the model expected the change to help; beside it, `objective` says what happened. */
  diagnosis?: Diagnosis;
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

/** Which side of the objective a case moved to: it passed before and fails now, or the reverse. */
export const CASE_CHANGES = ['newly-failing', 'newly-passing'] as const;
export type CaseChange = (typeof CASE_CHANGES)[number];

/** One side of a changed case: its result and the evidence the eval gave for it (each text capped as the record keeps it). */
export interface CaseSide {
  passed: boolean;
  score?: number;
  output?: string;
  feedback?: string;
  /** The model calls the eval tagged with the case, as the gateway metered them: "2 model calls · 840 input tokens · 64 output · $0.0012". */
  model?: string;
}

/**
 * A case that newly passes or newly fails, with its evidence before (the parent, or
 * the run's baseline) and after (the candidate). Holdout cases are shown to a person;
 * they never reach a proposer.
 */
export interface CaseEvidence {
  eval: string;
  holdout: boolean;
  /** A two-phase eval's case: the output is the agent's, the rest its grader's, which ran apart from the agent's code. */
  gradedApart?: boolean;
  change: CaseChange;
  id: string;
  input?: string;
  expected?: string;
  /** Null when the parent's record no longer holds the case. */
  before: CaseSide | null;
  after: CaseSide;
}

/** What to page through: newly failing first, then newly passing, each in the eval's order. */
export interface CaseEvidenceQuery {
  /** Keeps the cases whose id, eval, input, expected, outputs or feedback contain this text, ignoring case. */
  text?: string;
  change?: CaseChange;
  eval?: string;
  /** The first case to give, from 0, after filtering. */
  offset?: number;
  /** How many to give at most; all when absent. */
  limit?: number;
}

/** A page of changed cases, for a list that may hold thousands. */
export interface CaseEvidencePage {
  candidate: string;
  /** What "before" is: the parent candidate, or the baseline the run evaluated. */
  before: { kind: 'candidate'; id: string } | { kind: 'baseline'; commit: string };
  /** Why the before side is missing, when the parent's evaluation cannot be read. */
  beforeMissing?: string;
  cases: CaseEvidence[];
  offset: number;
  /** How many cases match the query, over all pages. */
  total: number;
  /** Changed cases before filtering, by change. */
  counts: Record<CaseChange, number>;
}

/** A version of the branch, as a chain's review names it. */
export interface VersionPoint {
  commit: string;
  /** "v2", when it is an aiai version of the branch. */
  version?: string;
  /** The objective's value there, when it was measured. */
  value?: number;
}

/**
 * What approving a candidate applies, when it grew from candidates not yet on the
 * branch: the whole chain base..candidate, reviewed as one change against the
 * current version.
 */
export interface ApprovalChain {
  /** The steps an approval applies, oldest first, this candidate last. */
  steps: Array<{ id: string; title: string; status: CandidateStatus }>;
  /** The version the chain replaces on the branch: its nearest approved ancestor, or the run's base. */
  from: VersionPoint;
  /** The version checked out now. */
  current: VersionPoint;
  /** The objective against the current version, when both values are known. */
  objective?: { metric: string; current: number; value: number; delta: number; better: boolean };
  /** Whether the branch moved since the chain's first step was made (it is then merged onto it). */
  moved: boolean;
}
