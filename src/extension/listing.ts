import * as path from 'node:path';
import type { DamagedRecord } from '../core/record/store';
import type { CandidateBrief } from '../core/record/summary';

/** One run as the views list it: its candidates' briefs and the records of it that cannot be read. */
export interface RunListing {
  id: string;
  /** When it started, ISO 8601: from the run id's stamp, else its first candidate's time. */
  startedAt: string;
  /** Oldest first. */
  candidates: CandidateBrief[];
  pending: number;
  damaged: DamagedRecord[];
}

/**
 * What the views show of the records, built from the briefs alone (a few hundred
 * bytes a candidate): no full record is read to list, count or queue.
 */
export interface Listing {
  /** Every candidate that can be read, oldest first. */
  candidates: CandidateBrief[];
  byId: ReadonlyMap<string, CandidateBrief>;
  /** The review queue, in reviewQueue's order. */
  pending: CandidateBrief[];
  /** Newest first. */
  runs: RunListing[];
}

export const EMPTY_LISTING: Listing = { candidates: [], byId: new Map(), pending: [], runs: [] };

/** Groups the store's briefs (oldest first) and damaged records by run. */
export function listingOf({ briefs, damaged }: { briefs: CandidateBrief[]; damaged: DamagedRecord[] }): Listing {
  const runs = new Map<string, RunListing>();
  const runOf = (id: string): RunListing => {
    const known = runs.get(id);
    if (known) return known;
    const made: RunListing = { id, startedAt: '', candidates: [], pending: 0, damaged: [] };
    runs.set(id, made);
    return made;
  };
  for (const c of briefs) {
    const run = runOf(c.runId);
    run.candidates.push(c);
    if (c.status === 'pending') run.pending++;
  }
  for (const d of damaged) runOf(runIdOf(d)).damaged.push(d);
  for (const run of runs.values()) run.startedAt = startOf(run);
  return {
    candidates: briefs,
    byId: new Map(briefs.map((c) => [c.id, c])),
    pending: reviewQueue(briefs),
    runs: [...runs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id)),
  };
}

/**
 * The candidates awaiting review among `briefs` (oldest first), in the order a person
 * goes through them: the clean ones first, then those the grader flagged (tamper,
 * overfit, …), which need a closer look and should not hold up the rest; oldest
 * first within each.
 */
export function reviewQueue(briefs: readonly CandidateBrief[]): CandidateBrief[] {
  const pending = briefs.filter((c) => c.status === 'pending');
  return [...pending.filter((c) => c.flags.length === 0), ...pending.filter((c) => c.flags.length > 0)];
}

/** A run's candidates as its group shows them: awaiting review first in queue order, then the rest newest first. */
export function runOrder(run: RunListing): CandidateBrief[] {
  return [...reviewQueue(run.candidates), ...run.candidates.filter((c) => c.status !== 'pending').reverse()];
}

/** The candidates `id` grew from, oldest first, through the briefs; an ancestor that cannot be read ends the walk. */
export function lineageOf(id: string, byId: ReadonlyMap<string, CandidateBrief>): string[] {
  const chain: string[] = [];
  const seen = new Set([id]);
  for (let parent = byId.get(id)?.parent.id ?? null; parent !== null && !seen.has(parent); parent = byId.get(parent)?.parent.id ?? null) {
    seen.add(parent);
    chain.unshift(parent);
  }
  return chain;
}

/** The store writes a damaged record's file as `<runs>/<run>/candidates/<id>.json`. */
function runIdOf(d: DamagedRecord): string {
  return path.basename(path.dirname(path.dirname(d.file)));
}

/** Run ids begin with their start, `20261125-135855-…` (Store.newRunId); another id falls back to the first candidate's time. */
function startOf(run: RunListing): string {
  const stamp = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(run.id);
  if (stamp) return `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z`;
  return run.candidates[0]?.createdAt ?? '';
}
