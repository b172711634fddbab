/**
 * Two candidates, or a candidate and a version of the branch, side by side: plain
 * data that crosses the wire to the webview. `core/review/compare.ts` builds it;
 * `protocol.ts` checks it on arrival.
 */
import type { CaseSide, EvalKind, EvalStatus } from './review';

/** One of the two things compared: a candidate (id or unique prefix), or a version of the branch (its commit). */
export type CompareRef = { kind: 'candidate'; id: string } | { kind: 'version'; commit: string };

/** A side as a person reads it. */
export interface ComparedSide {
  /** Resolved: the candidate's whole id, the version's whole commit. */
  ref: CompareRef;
  /** "candidate 1a2b3c4d", or "v2 (1a2b3c4d)". */
  name: string;
  title: string;
  /** A candidate's status ("pending"), or a version's kind ("approval"). */
  detail: string;
  /** The commit its files are at; null for a candidate that never got one. */
  commit: string | null;
  /** The objective's value, when it was measured. */
  objective: number | null;
  /** Why its results are missing or partial, when they are. */
  missing?: string;
}

/** One metric of one eval on both sides; `delta` is B − A. */
export interface ComparedMetric {
  eval: string;
  kind: EvalKind;
  /** Empty for an eval that gave no metric on either side. */
  metric: string;
  /** The eval's status on each side; null where it did not run. */
  statusA: EvalStatus | null;
  statusB: EvalStatus | null;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** Whether B is better than A on the objective's metric; null when equal, unknown or another metric. */
  better: boolean | null;
  objective: boolean;
}

/** Which side a case passes on: it passes on A and fails on B, or the reverse. */
export const COMPARED_CASE_CHANGES = ['passes-in-a', 'passes-in-b'] as const;
export type ComparedCaseChange = (typeof COMPARED_CASE_CHANGES)[number];

/** A case that passes on one side and fails on the other, with the evidence of each. */
export interface ComparedCase {
  eval: string;
  holdout: boolean;
  change: ComparedCaseChange;
  id: string;
  input?: string;
  expected?: string;
  a: CaseSide;
  b: CaseSide;
}

/** What to page through: the cases passing on A only first, then on B only, each in the eval's order. */
export interface CompareQuery {
  /** Keeps the cases whose id, eval, input, expected, outputs or feedback contain this text, ignoring case. */
  text?: string;
  offset?: number;
  limit?: number;
}

export interface ComparedCasePage {
  cases: ComparedCase[];
  offset: number;
  /** How many cases match the query, over all pages. */
  total: number;
  /** Cases that differ before filtering, by side. */
  counts: Record<ComparedCaseChange, number>;
}

export interface Comparison {
  a: ComparedSide;
  b: ComparedSide;
  /** The objective's metric and eval, as the config names them. */
  objective: { eval: string; metric: string };
  metrics: ComparedMetric[];
  cases: ComparedCasePage;
  /** The editable files that differ from A to B, and their diff. */
  changedPaths: string[];
  diff: string;
}

/** A stable text for a pair, to tell one comparison from another. */
export function pairKey(a: CompareRef, b: CompareRef): string {
  const one = (r: CompareRef): string => (r.kind === 'candidate' ? `candidate:${r.id}` : `version:${r.commit}`);
  return `${one(a)} ${one(b)}`;
}
