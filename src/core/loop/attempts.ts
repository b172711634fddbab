import type { Objective } from '../config/config';
import { capText } from '../common/text';
import type { Git } from '../git/git';
import type { Attempt, ReflectedAttempt } from '../propose/proposer';
import { LOOP_ACTOR, type CandidateRecord } from '../record/records';
import { summarize, type CandidateSummary } from '../record/summary';

/** What the writer of the lessons reads of each attempt's change, and of each run_evals answer. */
const REFLECTED_DIFF_CHARS = 2500;
const REFLECTED_RUN_CHARS = 600;

/** A candidate seen through the proposer's window: train-side results only. */
export function toAttempt(candidate: CandidateSummary, objective: Objective): Attempt {
  const value = candidate.trainMetrics[objective.eval]?.[objective.metric];
  return {
    id: candidate.id,
    title: candidate.title,
    outcome: attemptOutcome(candidate),
    status: candidate.status,
    parentId: candidate.parent.id,
    ...(candidate.reason ? { reason: candidate.holdoutFailed ? 'failed a check the proposer does not see' : candidate.reason } : {}),
    ...(candidate.because ? { because: candidate.because } : {}),
    parentCommit: candidate.parent.commit,
    ...(candidate.commit ? { commit: candidate.commit } : {}),
    ...(value !== undefined ? { objectiveValue: value } : {}),
    ...(value !== undefined && candidate.objective ? { delta: candidate.objective.delta } : {}),
    failingCases: candidate.failingCases,
    ...(candidate.logTail ? { logTail: candidate.logTail } : {}),
    ...(candidate.diagnosis ? { diagnosis: candidate.diagnosis } : {}),
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

/**
 * A run's attempts as the writer of the lessons reads them: besides what a proposer
 * sees, why each was made, what it changed against the version it was built on, and
 * what `run_evals` said of its drafts (train-side only, as the agent saw it).
 */
export async function reflectedAttempts(finished: readonly CandidateRecord[], objective: Objective, git: Git): Promise<ReflectedAttempt[]> {
  return Promise.all(
    finished.map(async (c) => {
      const diff = c.commit ? await git.diff(c.parent.commit, c.commit).catch(() => '') : '';
      const draftRuns = (c.conversation ?? []).filter((call) => call.tool === 'run_evals').map((call) => capText(call.result, REFLECTED_RUN_CHARS));
      return {
        ...toAttempt(summarize(c), objective),
        ...(c.rationale ? { rationale: c.rationale } : {}),
        ...(diff.trim() ? { diff: capText(diff.trimEnd(), REFLECTED_DIFF_CHARS) } : {}),
        ...(draftRuns.length > 0 ? { draftRuns } : {}),
      };
    }),
  );
}
