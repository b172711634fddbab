import type { Objective } from '../config/config';
import type { Attempt } from '../propose/proposer';
import { LOOP_ACTOR } from '../record/records';
import type { CandidateSummary } from '../record/summary';

/** A candidate seen through the proposer's window: train-side results only. */
export function toAttempt(candidate: CandidateSummary, objective: Objective): Attempt {
  const value = candidate.trainMetrics[objective.eval]?.[objective.metric];
  return {
    id: candidate.id,
    title: candidate.title,
    outcome: attemptOutcome(candidate),
    ...(candidate.reason ? { reason: candidate.holdoutFailed ? 'failed a check the proposer does not see' : candidate.reason } : {}),
    ...(candidate.because ? { because: candidate.because } : {}),
    parentCommit: candidate.parent.commit,
    ...(candidate.commit ? { commit: candidate.commit } : {}),
    ...(value !== undefined ? { objectiveValue: value } : {}),
    ...(value !== undefined && candidate.objective ? { delta: candidate.objective.delta } : {}),
    failingCases: candidate.failingCases,
    ...(candidate.logTail ? { logTail: candidate.logTail } : {}),
    ...(candidate.diagnosis ? { expectedEffect: candidate.diagnosis.expectedEffect } : {}),
  };
}

function attemptOutcome(candidate: CandidateSummary): Attempt['outcome'] {
  switch (candidate.status) {
    case 'refused':
    case 'failed':
      return candidate.status;
    case 'rejected':
      return candidate.decidedBy === LOOP_ACTOR ? 'not-improved' : 'rejected';
    default:
      // A person's candidate awaits review whatever its delta; the grader's verdict is what a proposer learns from.
      return candidate.notImproved ? 'not-improved' : 'improved';
  }
}
