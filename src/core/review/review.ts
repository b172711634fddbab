import type { Objective } from '../config/config';
import { gain } from '../grade/metrics';
import { round } from '../common/numbers';
import type { CandidateRecord } from '../record/records';
import type { MetricRow, Review } from '../../shared/review';

/**
 * What a person needs to judge `candidate`, built from its record and its lineage
 * (the ids of the candidates it grew from, oldest first; empty from the baseline).
 */
export function reviewOf(candidate: CandidateRecord, objective: Objective, lineage: string[]): Review {
  const metrics: MetricRow[] = [];
  for (const e of candidate.evaluation?.evals ?? []) {
    const kind = e.holdout ? 'holdout' : e.gate ? 'gate' : 'train';
    if (Object.keys(e.metrics).length === 0) {
      metrics.push({ eval: e.name, kind, status: e.status, ...(e.reason ? { reason: e.reason } : {}), metric: '', parent: null, value: null, delta: null, better: null, objective: false });
      continue;
    }
    for (const [metric, value] of Object.entries(e.metrics)) {
      const delta = candidate.deltas.vsParent[e.name]?.[metric];
      const isObjectiveMetric = metric === objective.metric;
      metrics.push({
        eval: e.name,
        kind,
        status: e.status,
        ...(e.reason ? { reason: e.reason } : {}),
        metric,
        parent: delta === undefined ? null : round(value - delta),
        value,
        delta: delta ?? null,
        better: delta === undefined || delta === 0 || !isObjectiveMetric ? null : gain(objective, value, value - delta) > 0,
        objective: isObjectiveMetric && e.name === objective.eval,
        ...(e.repeated?.spread[metric] !== undefined ? { spread: e.repeated.spread[metric] } : {}),
      });
    }
  }
  const holdout = new Set(candidate.evaluation?.evals.filter((e) => e.holdout).map((e) => e.name));
  return {
    id: candidate.id,
    title: candidate.title,
    rationale: candidate.rationale,
    ...(candidate.diagnosis ? { diagnosis: candidate.diagnosis } : {}),
    status: candidate.status,
    ...(candidate.reason ? { reason: candidate.reason } : {}),
    flags: candidate.flags,
    proposer: candidate.proposer,
    parent: candidate.parent.id,
    base: candidate.base,
    ...(candidate.contentHash ? { contentHash: candidate.contentHash } : {}),
    createdAt: candidate.createdAt,
    durationMs: candidate.durationMs,
    ...(candidate.objective ? { objective: { ...candidate.objective, better: gain(objective, candidate.objective.value, candidate.objective.parent) > 0 } } : {}),
    metrics,
    cases: Object.entries(candidate.cases).map(([name, c]) => ({ eval: name, holdout: holdout.has(name), ...c })),
    diff: candidate.diff,
    changedPaths: candidate.changedPaths,
    ...(candidate.usage ? { usage: candidate.usage } : {}),
    ...(candidate.leftOut ? { leftOut: candidate.leftOut } : {}),
    lineage,
    ...(candidate.model ? { model: candidate.model } : {}),
    ...(candidate.conversation?.length ? { conversation: candidate.conversation.map((c) => ({ tool: c.tool, input: JSON.stringify(c.input), result: c.result, isError: c.isError })) } : {}),
    ...(candidate.derivedFrom ? { derivedFrom: candidate.derivedFrom } : {}),
  };
}
