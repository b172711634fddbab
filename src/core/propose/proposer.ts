import type { Objective } from '../config/config';
import type { Edit } from './edits';
import type { TrainCase } from '../grade/grading';
import type { CaseChanges, Metrics } from '../grade/metrics';
import type { CandidateStatus, QuickReason } from '../../shared/review';
import type { Usage } from '../../shared/usage';
import type { Diagnosis } from '../../shared/diagnosis';
import type { LeftOut } from '../../shared/review';

/**
 * What a proposer sees of an earlier attempt. It is built from the train-side
 * evals only: holdout results never reach a proposer.
 */
export interface Attempt {
  id: string;
  title: string;
  /** `rejected` is a person's rejection; `not-improved` the loop's. */
  outcome: 'improved' | 'not-improved' | 'rejected' | 'failed' | 'refused' | 'evaluating';
  /** Where it stands now: awaiting review, approved, rejected, superseded… */
  status: CandidateStatus;
  /** The candidate it was built on, or null for a version of the branch. */
  parentId: string | null;
  reason?: string;
  /** A person's quick reason for rejecting it (overfits, too-risky, …). */
  because?: QuickReason;
  parentCommit: string;
  /** The candidate's commit, once it was built. */
  commit?: string;
  /** The objective metric's value, when the candidate was evaluated. */
  objectiveValue?: number;
  /** Train cases that failed (the first 50). */
  failingCases: string[];
  /** The objective's change against the parent, when evaluated. */
  delta?: number;
  /** The end of the log of a train-side eval that failed. */
  logTail?: string;
  /** The model's reasoning before the change, to set beside what it did. */
  diagnosis?: Diagnosis;
}

/** An attempt as the writer of the lessons reads it: also why it was made, what it changed, and what its drafts scored. */
export interface ReflectedAttempt extends Attempt {
  rationale?: string;
  /** Its change against the version it was built on, cut to a few thousand characters. */
  diff?: string;
  /** What `run_evals` answered on its drafts, in order. */
  draftRuns?: string[];
}

/** What a draft's train-side evals came to, as `run_evals` reports it. */
export interface DraftResult {
  ok: boolean;
  reason?: string;
  /** Train-side metrics by eval, and their change against the parent. */
  metrics: Record<string, Metrics>;
  deltas: Record<string, Metrics>;
  cases: Record<string, CaseChanges>;
  failures: TrainCase[];
  /** The log's end of an eval that failed. */
  logTail?: string;
}

export interface ProposalRequest {
  objective: Objective;
  parent: {
    id: string | null;
    commit: string;
    /** Train-side metrics of the parent, by eval name. */
    metrics: Record<string, Metrics>;
    objectiveValue: number;
    /** The standard error of `objectiveValue`, when the objective's eval is repeated (`repeats`). */
    standardError?: number;
    /** The parent's failing train cases, with their evidence. */
    failures: TrainCase[];
    /** The parent's passing train cases, set beside the failures for contrast. */
    passes: TrainCase[];
    /** What each train-side eval said of the parent as a whole. */
    feedback: Record<string, string>;
  };
  /** The workspace's lessons (`.aiai/lessons.md`), when it has some. */
  lessons?: string;
  /** The version the run started from. */
  base: string;
  /** Earlier attempts, oldest first, including those still being evaluated. */
  history: Attempt[];
  readFile(commit: string, file: string): Promise<string | undefined>;
  /** Every file path at a commit. */
  listFiles(commit: string): Promise<string[]>;
  /** The diff between two commits. */
  diff(from: string, to: string): Promise<string>;
  /** Why the guard would refuse these edits, if it would: paths, size, links. */
  guard(edits: Edit[]): Promise<string | undefined>;
  /**
   * Grades the parent with `edits` applied on its train-side evals, in the sandbox,
   * as the loop grades a candidate; holdout evals never run here.
   */
  evaluateDraft(edits: Edit[]): Promise<DraftResult>;
  signal: AbortSignal;
}

export interface Proposal {
  title: string;
  rationale: string;
  /** A model's reasoning before its edit; the parameter search and a person give none. */
  diagnosis?: Diagnosis;
  edits: Edit[];
}

/** Files a proposer did not show the model, and why (binary, too large, a likely secret). */
export type { LeftOut };

/** One tool call of an agent conversation, as the record keeps it. */
export interface ToolCall {
  tool: string;
  input: unknown;
  /** The start of what the tool answered. */
  result: string;
  isError: boolean;
}

interface OutcomeCommon {
  /** Tokens and cost of the model calls this proposal took. */
  usage?: Usage;
  leftOut?: LeftOut[];
  /** Things the user should know, e.g. that the configured model is deprecated. */
  notices?: string[];
  /** The model that proposed, when the proposer has several. */
  model?: string;
  /** The tool calls of an agent conversation, in order: how it got here. */
  conversation?: ToolCall[];
}

export type ProposalOutcome = OutcomeCommon &
  (
    | { kind: 'proposal'; proposal: Proposal }
    /** The proposer has nothing new to offer; the loop stops. */
    | { kind: 'exhausted'; reason: string }
    /** The reply held no usable change, even after a corrective turn; the loop goes on. */
    | { kind: 'invalid'; reason: string }
    /** The call failed for a passing reason (timeout, dropped connection); the loop goes on. */
    | { kind: 'error'; reason: string }
  );

/** What a run came to, as a proposer may learn from it: train-side attempts only. */
export interface ReflectionRequest {
  objective: Objective;
  /** The lessons so far, a person's edits included. */
  lessons: string;
  attempts: ReflectedAttempt[];
  signal: AbortSignal;
}

export interface Proposer {
  readonly name: string;
  propose(request: ProposalRequest): Promise<ProposalOutcome>;
  /** Rewrites the workspace's lessons after a run; proposers without a model have none. */
  reflect?(request: ReflectionRequest): Promise<{ lessons: string; usage?: Usage } | undefined>;
}
