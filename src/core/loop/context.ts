import type { Evaluation } from '../grade/evaluation';
import type { Standing } from '../grade/verdict';
import type { CandidateRecord } from '../record/records';

/** What a run tells its front end as it goes. */
export type LoopEvent =
  | { type: 'notice'; message: string }
  | { type: 'baseline'; evaluation: Evaluation; objectiveValue: number }
  | { type: 'candidate'; index: number; total: number; candidate: CandidateRecord }
  | { type: 'stopped'; reason: string };

export type Emit = (event: LoopEvent) => void;

/** A version the loop may build on: the baseline (id null) or a candidate of the run. */
export interface Parent extends Standing {
  id: string | null;
  commit: string;
}
