import type { RaceTally } from '../../shared/race';
import { usageError } from '../common/errors';
import type { Edit } from '../propose/edits';
import type { Evaluation } from '../grade/evaluation';
import type { GradeFlag } from '../grade/verdict';
import type { CandidateStatus, ObjectiveChange, QuickReason } from '../../shared/review';
import type { CaseChanges, Metrics } from '../grade/metrics';
import type { ToolCall } from '../propose/proposer';
import type { LeftOut } from '../../shared/review';
import type { Usage } from '../../shared/usage';
import type { Diagnosis } from '../../shared/diagnosis';

/* The records of runs and candidates, as `.aiai/runs/<run>/` keeps them. */

export type { CandidateStatus } from '../../shared/review';
/** The grader's flags, and `duplicate` for a change already tried. */
export type Flag = GradeFlag | 'duplicate';

/** A candidate flagged `overfit`, `tamper` or `leak` may await review, but is never announced or ranked as the best. */
export function mayBeBest(c: { flags: readonly Flag[] }): boolean {
  return !c.flags.some((f) => f === 'overfit' || f === 'tamper' || f === 'leak');
}

/** A candidate that was built; one refused or failed before that has no change to `use` (check out, take part of). */
export function built(candidate: CandidateRecord, use: string): CandidateRecord & { commit: string } {
  const { commit } = candidate;
  if (!commit) throw usageError(`candidate ${candidate.id} was never built (${candidate.status}${candidate.reason ? `: ${candidate.reason}` : ''}), so it has no change to ${use}`);
  return { ...candidate, commit };
}

/** Who rejects a candidate that did not improve. */
export const LOOP_ACTOR = 'aiai loop';

export interface Decision {
  at: string;
  /** Who acted, and through which front end, e.g. "person via cli". */
  by: string;
  /** A person's words, or why the candidate was superseded. */
  reason?: string;
  /** A rejection's quick reason, beside the words. */
  because?: QuickReason;
  /** The commit an approval made on the branch. */
  commit?: string;
  /** The approved candidate that made this one `superseded`. */
  supersededBy?: string;
}

export interface CandidateRecord {
  id: string;
  runId: string;
  createdAt: string;
  finishedAt?: string;
  status: CandidateStatus;
  reason?: string;
  flags: Flag[];
  title: string;
  rationale: string;
  /** Why the model expected the change to help, written before it edited. */
  diagnosis?: Diagnosis;
  proposer: string;
  parent: { id: string | null; commit: string };
  /** The version the run started from; an approval applies base..commit. */
  base: string;
  commit?: string;
  /** The candidate's git tree id: what an approval checks it deploys. */
  contentHash?: string;
  edits: Edit[];
  changedPaths: string[];
  /** base..commit, the change an approval would make. */
  diff: string;
  evaluation?: Evaluation;
  objective?: ObjectiveChange;
  /** Per eval, per metric: candidate − parent, and candidate − current version. */
  deltas: { vsParent: Record<string, Metrics>; vsCurrent: Record<string, Metrics> };
  /** Per eval: cases that newly pass or fail against the parent. */
  cases: Record<string, CaseChanges>;
  durationMs: number;
  decision?: Decision;
  /** Tokens and cost of the model calls behind the proposal. */
  usage?: Usage;
  /** Files the proposer did not show the model. */
  leftOut?: LeftOut[];
  /** The candidate's change, normalized: equal for the same change. */
  changeKey?: string;
  /** A person's candidate kept pending though the grader found no improvement (the loop would have rejected it). */
  notImproved?: boolean;
  /** The candidate whose evaluation of the same content this one reuses. */
  evaluatedAs?: string;
  /** The model that proposed it, when the proposer has several. */
  model?: string;
  /** The tool calls of the agent conversation that made it. */
  conversation?: ToolCall[];
  /** The candidate a person kept part of to make this one (`aiai derive`). */
  derivedFrom?: string;
}

export type RunState = 'running' | 'finished' | 'failed' | 'interrupted' | 'crashed';

export interface RunRecord {
  id: string;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  state: RunState;
  base: string;
  branch?: string;
  proposer: string;
  /** How evaluations were isolated: bubblewrap, or none. */
  isolation: 'bubblewrap' | 'none';
  iterations: number;
  parallel: number;
  baseline?: Evaluation;
  stopReason?: string;
  error?: string;
  /** Tokens and cost of all model calls of the run… */
  usage?: Usage;
  /** …of which the call that rewrote the lessons at its end. */
  lessonsUsage?: Usage;
  /** What evaluations' own model calls used, metered by the model gateway (apart from the proposer's `usage`). */
  evalUsage?: Usage & { calls: number };
  /** Evaluation work the run did not have to do. */
  savings: RunSavings;
  /** When the run was last resumed (`aiai run --resume`); its time budget counts from here… */
  resumedAt?: string;
  /** …plus the time it ran before, which a stop or a crash ended. */
  elapsedMs?: number;
  /** Drafts a proposer had graded before it submitted (agent mode's run_evals). */
  drafts?: { evaluations: number; durationMs: number };
  /** Identifies the evals and sandbox the run graded with; equal keys grade alike. */
  evalsKey: string;
  /** A run of one candidate a person made (`aiai try`, `aiai derive`): it is never resumed. */
  person?: true;
  /** What its racing evals ran and spared, once a candidate raced. */
  race?: RaceTally;
}

export interface RunSavings {
  /** Evaluations reused for content already evaluated (the baseline by an earlier run, a candidate by this one). */
  reusedEvaluations: number;
  /** Proposals of a change already tried: refused before evaluation. */
  duplicates: number;
  /** Evals the cascade did not run (after a failed gate or eval, or holdout without an improvement)… */
  skippedEvals: number;
  /** …and what they took on the baseline. */
  skippedEvalMs: number;
}
