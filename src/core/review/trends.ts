import type { Version } from './versions';
import type { RunRecord } from '../record/records';
import type { CandidateBrief } from '../record/summary';
import type { Trends } from '../../shared/trends';

/**
 * The trends a person would rather look at than read: the objective of each version
 * of the branch over time, and what each run cost and evaluated. Versions come newest
 * first from `listVersions`; the trends run oldest first, as time does.
 */
export function trendsOf(metric: string, versions: readonly Version[], runs: readonly RunRecord[], briefs: readonly CandidateBrief[]): Trends {
  const made = new Map<string, { candidates: number; evaluated: number }>();
  for (const c of briefs) {
    const tally = made.get(c.runId) ?? { candidates: 0, evaluated: 0 };
    tally.candidates++;
    // A refused candidate was never evaluated; every other was (a failed one too).
    if (c.status !== 'refused') tally.evaluated++;
    made.set(c.runId, tally);
  }
  return {
    metric,
    versions: [...versions].reverse().map((v) => ({ version: v.version, kind: v.kind, date: v.date, value: v.metrics?.[metric] ?? null })),
    runs: runs.map((run) => {
      const tally = made.get(run.id) ?? { candidates: 0, evaluated: 0 };
      const ran = (run.baseline ? 1 : 0) + tally.evaluated + (run.drafts?.evaluations ?? 0) - run.savings.reusedEvaluations;
      return { id: run.id, startedAt: run.startedAt, costUsd: run.usage?.costUsd ?? 0, evalCostUsd: run.evalUsage?.costUsd ?? 0, evaluations: Math.max(0, ran), candidates: tally.candidates };
    }),
  };
}
