import type { Evaluation } from '../grade/evaluation';
import type { CaseResult } from '../grade/metrics';
import type { CandidateRecord } from '../record/records';
import type { Store } from '../record/store';
import { errorMessage } from '../common/errors';
import { pageOf } from './paging';
import { describeCaseCalls } from '../../shared/usage';
import { CASE_CHANGES, type CaseChange, type CaseEvidence, type CaseEvidencePage, type CaseEvidenceQuery, type CaseSide } from '../../shared/review';

/**
 * The cases behind a candidate's score: those that newly fail and newly pass, per
 * eval, each with its input, expected output, the output and feedback before (the
 * parent's evaluation, or the run's baseline when it grew from the baseline) and
 * after, filtered by text and cut to a page. Newly failing come first: they are what
 * a person must weigh. Holdout cases are included; this is for a person, never for a
 * proposer.
 */
export function caseEvidence(store: Store, candidate: CandidateRecord, query: CaseEvidenceQuery = {}): CaseEvidencePage {
  const { evaluation: before, beforeMissing } = beforeOf(store, candidate);
  const after = candidate.evaluation;
  const all: CaseEvidence[] = [];
  const counts: Record<CaseChange, number> = { 'newly-failing': 0, 'newly-passing': 0 };
  for (const change of CASE_CHANGES) {
    for (const [name, changes] of Object.entries(candidate.cases)) {
      const ids = change === 'newly-failing' ? changes.newlyFailing : changes.newlyPassing;
      counts[change] += ids.length;
      if (ids.length === 0 || (query.eval !== undefined && query.eval !== name) || (query.change !== undefined && query.change !== change)) continue;
      const afterEval = after?.evals.find((e) => e.name === name);
      const afterCases = byId(afterEval?.cases);
      const beforeCases = byId(before?.evals.find((e) => e.name === name)?.cases);
      for (const id of ids) {
        const now = afterCases.get(id);
        const then = beforeCases.get(id);
        const input = now?.input ?? then?.input;
        const expected = now?.expected ?? then?.expected;
        all.push({
          eval: name,
          holdout: afterEval?.holdout ?? false,
          ...(afterEval?.graded ? { gradedApart: true } : {}),
          change,
          id,
          ...(input !== undefined ? { input } : {}),
          ...(expected !== undefined ? { expected } : {}),
          before: then ? sideOf(then) : null,
          after: now ? sideOf(now) : { passed: change === 'newly-passing' },
        });
      }
    }
  }
  const page = pageOf(all, query, searchable);
  return {
    candidate: candidate.id,
    before: candidate.parent.id === null ? { kind: 'baseline', commit: candidate.parent.commit } : { kind: 'candidate', id: candidate.parent.id },
    ...(beforeMissing ? { beforeMissing } : {}),
    cases: page.items,
    offset: page.offset,
    total: page.total,
    counts,
  };
}

/** The evaluation a candidate's changes were counted against, or why it cannot be read. */
function beforeOf(store: Store, candidate: CandidateRecord): { evaluation?: Evaluation; beforeMissing?: string } {
  if (candidate.parent.id === null) {
    const baseline = store.run(candidate.runId)?.baseline;
    return baseline ? { evaluation: baseline } : { beforeMissing: `the baseline evaluation of run ${candidate.runId} cannot be read` };
  }
  try {
    const evaluation = store.candidate(candidate.parent.id).evaluation;
    return evaluation ? { evaluation } : { beforeMissing: `the parent ${candidate.parent.id} has no evaluation` };
  } catch (error) {
    return { beforeMissing: errorMessage(error) };
  }
}

function byId(cases: CaseResult[] | undefined): Map<string, CaseResult> {
  return new Map((cases ?? []).map((c) => [c.id, c]));
}

/** A case's result and evidence, as one side of a comparison shows it. */
export function sideOf(c: CaseResult): CaseSide {
  return {
    passed: c.passed,
    ...(c.score !== undefined ? { score: c.score } : {}),
    ...(c.output !== undefined ? { output: c.output } : {}),
    ...(c.feedback !== undefined ? { feedback: c.feedback } : {}),
    ...(c.model !== undefined ? { model: describeCaseCalls(c.model) } : {}),
  };
}

/** The texts a filter looks in: the id and every piece of evidence. */
function searchable(c: CaseEvidence): Array<string | undefined> {
  return [c.id, c.eval, c.input, c.expected, c.before?.output, c.before?.feedback, c.after.output, c.after.feedback];
}
