import type { Objective } from '../config/config';
import type { Edit } from './edits';
import type { Metrics } from '../grade/metrics';
import type { Usage } from '../../shared/usage';

/**
 * What a proposer sees of an earlier attempt. It is built from the train-side
 * evals only: holdout results never reach a proposer.
 */
export interface Attempt {
  id: string;
  title: string;
  /** `rejected` is a person's rejection; `not-improved` the loop's. */
  outcome: 'improved' | 'not-improved' | 'rejected' | 'failed' | 'refused' | 'evaluating';
  reason?: string;
  parentCommit: string;
  /** The candidate's commit, once it was built. */
  commit?: string;
  edits: Edit[];
  /** The objective metric's value, when the candidate was evaluated. */
  objectiveValue?: number;
  /** Train cases that failed. */
  failingCases: string[];
  /** The objective's change against the parent, when evaluated. */
  delta?: number;
}

export interface ProposalRequest {
  objective: Objective;
  parent: {
    id: string | null;
    commit: string;
    /** Train-side metrics of the parent, by eval name. */
    metrics: Record<string, Metrics>;
    objectiveValue: number;
  };
  /** The version the run started from. */
  base: string;
  /** Earlier attempts, oldest first, including those still being evaluated. */
  history: Attempt[];
  readFile(commit: string, file: string): Promise<string | undefined>;
  /** Every file path at a commit. */
  listFiles(commit: string): Promise<string[]>;
  /** The diff between two commits. */
  diff(from: string, to: string): Promise<string>;
  signal: AbortSignal;
}

export interface Proposal {
  title: string;
  rationale: string;
  edits: Edit[];
}

/** Files a proposer did not show the model, and why (binary, too large, a likely secret). */
export interface LeftOut {
  path: string;
  reason: string;
}

interface OutcomeCommon {
  /** Tokens and cost of the model calls this proposal took. */
  usage?: Usage;
  leftOut?: LeftOut[];
  /** Things the user should know, e.g. that the configured model is deprecated. */
  notices?: string[];
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

export interface Proposer {
  readonly name: string;
  propose(request: ProposalRequest): Promise<ProposalOutcome>;
}
