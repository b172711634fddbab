import type { Evaluation } from '../grade/evaluation';
import type { Standing } from '../grade/verdict';
import type { CandidateRecord } from '../record/records';

/** What a run tells its front end as it goes. */
export type LoopEvent =
  /** `quiet`: for the log, not worth interrupting a person with (the extension shows no pop-up). */
  | { type: 'notice'; message: string; quiet?: boolean }
  | { type: 'baseline'; evaluation: Evaluation; objectiveValue: number }
  | { type: 'candidate'; index: number; total: number; candidate: CandidateRecord }
  | { type: 'stopped'; reason: string };

export type Emit = (event: LoopEvent) => void;

/** A version the loop may build on: the baseline (id null) or a candidate of the run. */
export interface Parent extends Standing {
  id: string | null;
  commit: string;
}

/**
 * A candidate a person made (`aiai try`, `aiai derive`), graded in a run of its own:
 * built on `parent` (the current version when absent), and awaiting review whatever
 * its delta, since a person may deploy a change that only keeps the score.
 */
export interface PersonCandidate {
  parent?: Parent;
  /** The candidate it keeps part of. */
  derivedFrom?: string;
  /** Who made it, for the audit log, e.g. "person via cli". */
  by: string;
}
