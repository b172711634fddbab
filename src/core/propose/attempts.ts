import type { Objective } from '../config/config';
import { capText } from '../common/text';
import { lastLines } from '../../shared/format';
import { objectiveValue } from '../grade/grading';
import type { Attempt } from './proposer';
import { LOOP_ACTOR, type CandidateRecord } from '../record/store';

/** The end of a failed train eval's log a proposer sees, in lines and characters. */
const LOG_LINES = 10;
const LOG_CHARS = 1200;

/** A candidate record seen through the proposer's window: train-side results only. */
export function toAttempt(candidate: CandidateRecord, objective: Objective): Attempt {
  const train = candidate.evaluation?.evals.filter((e) => !e.holdout) ?? [];
  const value = candidate.evaluation ? objectiveValue(objective, { evals: train }) : undefined;
  const failedLog = train.find((e) => e.status !== 'passed' && e.status !== 'gate-failed')?.logTail;
  return {
    id: candidate.id,
    title: candidate.title,
    outcome: attemptOutcome(candidate),
    ...(candidate.reason ? { reason: failedOnHoldout(candidate) ? 'failed a check the proposer does not see' : candidate.reason } : {}),
    parentCommit: candidate.parent.commit,
    ...(candidate.commit ? { commit: candidate.commit } : {}),
    edits: candidate.edits,
    ...(value !== undefined ? { objectiveValue: value } : {}),
    ...(value !== undefined && candidate.objective ? { delta: candidate.objective.delta } : {}),
    failingCases: train.flatMap((e) => e.cases.filter((c) => !c.passed).map((c) => `${e.name}/${c.id}`)),
    ...(failedLog ? { logTail: capText(lastLines(failedLog, LOG_LINES), LOG_CHARS) } : {}),
  };
}

function failedOnHoldout(candidate: CandidateRecord): boolean {
  return candidate.evaluation?.evals.some((e) => e.holdout && e.status !== 'passed') ?? false;
}

function attemptOutcome(candidate: CandidateRecord): Attempt['outcome'] {
  switch (candidate.status) {
    case 'refused':
    case 'failed':
      return candidate.status;
    case 'rejected':
      return candidate.decision?.by === LOOP_ACTOR ? 'not-improved' : 'rejected';
    default:
      return 'improved';
  }
}
