import type { Objective } from './config';
import type { Edit } from './edits';
import type { Metrics } from './metrics';

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
  /** Earlier attempts, oldest first, including those still being evaluated. */
  history: Attempt[];
  readFile(commit: string, file: string): Promise<string | undefined>;
  signal: AbortSignal;
}

export interface Proposal {
  title: string;
  rationale: string;
  edits: Edit[];
}

export type ProposalOutcome =
  | { kind: 'proposal'; proposal: Proposal }
  /** The proposer has nothing new to offer; the loop stops. */
  | { kind: 'exhausted'; reason: string }
  /** This attempt failed (e.g. a model reply without a usable change); the loop goes on. */
  | { kind: 'invalid'; reason: string };

export interface Proposer {
  readonly name: string;
  propose(request: ProposalRequest): Promise<ProposalOutcome>;
}
