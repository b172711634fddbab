/**
 * Messages between the extension and the review panel: one union each way. The
 * extension owns all state and sends complete snapshots; the webview sends intents.
 * An intent that does something (approve, open a diff…) is a request: it carries a
 * `seq`, and the extension answers it with exactly one `reply` naming that `seq`.
 * Each side checks what arrives and rebuilds it from checked fields; anything else is
 * dropped. A parser is declared for every variant, so a new variant fails to compile
 * until it is checked.
 */
import {
  CANDIDATE_STATUSES,
  EVAL_KINDS,
  EVAL_STATUSES,
  QUICK_REASONS,
  type ApprovalChain,
  type CaseEvidencePage,
  type CaseRow,
  type QuickReason,
  type ConversationStep,
  type LeftOut,
  type MetricRow,
  type ModelTally,
  type ObjectiveRow,
  type Review,
} from './shared/review';
import type { ComparedCasePage, CompareRef, Comparison } from './shared/compare';
import { approvalChain, caseEvidencePage, comparedCasePage, compareRef, comparison } from './shared/readEvidence';
import { arrayOf, boolean, isRecord, literal, nullable, number, object, oneOf, optional, readOrUndefined, string, wholeNumber, type Reader } from './shared/read';
import type { RunCost, Trends, TrendPoint } from './shared/trends';
import type { Usage } from './shared/usage';
import type { RaceTally } from './shared/race';
import type { Diagnosis } from './shared/diagnosis';

export interface PendingItem {
  id: string;
  title: string;
}

/** A candidate of the same run, for the run's picture. */
export interface RunPoint {
  id: string;
  /** The parent candidate; null for the baseline. */
  parent: string | null;
  status: Review['status'];
  title: string;
  /** The objective value, when the candidate was evaluated. */
  value?: number;
  /** A race stopped it: `value` is of the cases it ran. */
  partial?: boolean;
}

/** The run the candidate belongs to: its candidates in the order they finished, and the current version's objective value. */
export interface RunPicture {
  points: RunPoint[];
  current?: number;
  metric: string;
  /** Per model of the run: its proposals, improvements and cost; empty when no candidate of the run names a model. */
  models: ModelTally[];
  /** What the run's races ran and spared, when a candidate raced. */
  race?: RaceTally;
}

/** The workspace's lessons, as the proposer reads them, and the file a person edits them in. */
export interface Lessons {
  /** The file, relative to the workspace folder. */
  file: string;
  text: string;
}

/** What came of the person's last decision in the panel, shown until their next action. */
export interface Outcome {
  level: 'info' | 'error';
  message: string;
}

/** One hunk of a file of the candidate's change, numbered as a selection names it, with its first lines to know it by. */
export interface HunkPreview {
  number: number;
  /** The `@@ -a,b +c,d @@` line. */
  header: string;
  /** The hunk's lines from just before its first change, as the diff shows them (' ', '-', '+'). */
  lines: string[];
  /** How many lines of the hunk follow those shown. */
  more: number;
}

/** A file of the candidate's change and its hunks (none for a change git shows without any, such as a binary file). */
export interface ChangeFile {
  path: string;
  hunks: HunkPreview[];
  /** Why no candidate may keep it (not editable under the config now), when none may. */
  locked?: string;
}

/** What a person may do with the candidate's change as its co-author. */
export interface Coauthoring {
  /** Its files and their hunks, for Evaluate Selection; empty when it was never built. */
  files: ChangeFile[];
  /** Why Edit in Workspace does not apply, when it does not. */
  cannotEdit?: string;
  /** Why Evaluate Selection does not apply, when it does not (a run is going on, say). */
  cannotEvaluate?: string;
  /** Whether the working tree holds this candidate's change, written there by Edit in Workspace: Evaluate My Changes grades on it. */
  checkedOut: boolean;
}

/** Part of a candidate's change to keep: a file whole, or the numbered hunks of it. */
export interface SelectedFile {
  path: string;
  hunks?: number[];
}

export interface ReviewSnapshot {
  review: Review;
  run: RunPicture;
  /** The review queue: candidates awaiting review, clean ones before flagged ones, oldest first in each. */
  pending: PendingItem[];
  /** Whether approve and reject apply (the candidate is pending and the workspace trusted). */
  canDecide: boolean;
  /** Whether evaluations may run here; when not, why. */
  untrusted?: string;
  coauthoring: Coauthoring;
  /** The workspace's lessons, when it has any. */
  lessons?: Lessons;
  outcome?: Outcome;
  /** Across runs; absent when they cannot be read (no repository, a broken config). */
  trends?: Trends;
  /** What approving applies, when the candidate is pending and grew from candidates not on the branch. */
  chain?: ApprovalChain;
  /** What the panel could not read, and why (the rest shows without it); also in the AIAI log. */
  unread?: string[];
}

/** The most cases a page may ask for: a list of thousands is read a page at a time. */
export const MAX_PAGE = 100;
/** The cases a list shows at once: few enough that thousands of changed cases stay responsive. */
export const CASES_PAGE = 20;

/** What a list of cases asks for: a text to look for (empty for all), and a page. */
export interface PageQuery {
  text: string;
  offset: number;
  limit: number;
}

/**
 * The answer to a page asked for: the page, or why it cannot be read. It names what
 * was asked, so that the list drops an answer to a question it no longer asks.
 */
export interface CasePageReply {
  type: 'casePage';
  id: string;
  query: PageQuery;
  page?: CaseEvidencePage;
  error?: string;
}

export interface ComparePageReply {
  type: 'comparePage';
  a: CompareRef;
  b: CompareRef;
  query: PageQuery;
  page?: ComparedCasePage;
  error?: string;
}

/** The answer to a request, the one its `seq` names: `error` says why it failed or was refused; without it, it was done. */
export interface Reply {
  type: 'reply';
  seq: number;
  error?: string;
}

export type ToWebview =
  | { type: 'review'; snapshot: ReviewSnapshot }
  | { type: 'empty'; message: string; outcome?: Outcome; trends?: Trends; unread?: string[] }
  | CasePageReply
  | { type: 'compare'; comparison: Comparison }
  | { type: 'compareFailed'; message: string }
  | ComparePageReply
  | Reply;

/** What a person's click asks the extension to do, before the page numbers it as a request. */
export type Intent =
  | { type: 'approve'; id: string; contentHash: string }
  | { type: 'reject'; id: string; reason: string; because?: QuickReason }
  | { type: 'openDiff'; id: string }
  | { type: 'openLessons' }
  | { type: 'compareWith'; id: string }
  | { type: 'openCompareDiff'; a: CompareRef; b: CompareRef }
  | { type: 'editInWorkspace'; id: string }
  | { type: 'evaluateSelection'; id: string; files: SelectedFile[] };

/** An intent as sent: `seq` numbers it, for the reply to name. */
export type Request = Intent & { seq: number };

export type FromWebview =
  | { type: 'ready' }
  | Request
  /** Which candidate to show: answered by the next snapshot, not by a reply. */
  | { type: 'navigate'; id: string }
  | { type: 'casePage'; id: string; query: PageQuery }
  | { type: 'comparePage'; a: CompareRef; b: CompareRef; query: PageQuery }
  /** The page dropped a message from the extension that did not match the protocol: the `type` it claimed, for the log. */
  | { type: 'unreadable'; what: string };

type Parsers<M extends { type: string }> = { [K in M['type']]: Reader<Extract<M, { type: K }>> };

const pageQuery = object<PageQuery>({ text: string, offset: wholeNumber(Number.MAX_SAFE_INTEGER), limit: wholeNumber(MAX_PAGE) });

const seq = wholeNumber(Number.MAX_SAFE_INTEGER);

const fromWebview: Parsers<FromWebview> = {
  ready: object<{ type: 'ready' }>({ type: literal('ready') }),
  approve: object<Extract<FromWebview, { type: 'approve' }>>({ type: literal('approve'), seq, id: string, contentHash: string }),
  reject: object<Extract<FromWebview, { type: 'reject' }>>({ type: literal('reject'), seq, id: string, reason: string, because: optional(oneOf(QUICK_REASONS)) }),
  openDiff: object<Extract<FromWebview, { type: 'openDiff' }>>({ type: literal('openDiff'), seq, id: string }),
  navigate: object<Extract<FromWebview, { type: 'navigate' }>>({ type: literal('navigate'), id: string }),
  openLessons: object<Extract<FromWebview, { type: 'openLessons' }>>({ type: literal('openLessons'), seq }),
  casePage: object<Extract<FromWebview, { type: 'casePage' }>>({ type: literal('casePage'), id: string, query: pageQuery }),
  compareWith: object<Extract<FromWebview, { type: 'compareWith' }>>({ type: literal('compareWith'), seq, id: string }),
  comparePage: object<Extract<FromWebview, { type: 'comparePage' }>>({ type: literal('comparePage'), a: compareRef, b: compareRef, query: pageQuery }),
  openCompareDiff: object<Extract<FromWebview, { type: 'openCompareDiff' }>>({ type: literal('openCompareDiff'), seq, a: compareRef, b: compareRef }),
  editInWorkspace: object<Extract<FromWebview, { type: 'editInWorkspace' }>>({ type: literal('editInWorkspace'), seq, id: string }),
  evaluateSelection: object<Extract<FromWebview, { type: 'evaluateSelection' }>>({
    type: literal('evaluateSelection'),
    seq,
    id: string,
    files: arrayOf(object<SelectedFile>({ path: string, hunks: optional(arrayOf(number)) })),
  }),
  unreadable: object<Extract<FromWebview, { type: 'unreadable' }>>({ type: literal('unreadable'), what: string }),
};

const usage = object<Usage>({ inputTokens: number, outputTokens: number, cacheCreationTokens: number, cacheReadTokens: number, costUsd: number });

const objectiveRow = object<ObjectiveRow>({
  metric: string,
  value: number,
  parent: number,
  current: number,
  delta: number,
  deltaVsCurrent: number,
  noise: optional(number),
  partial: optional(object<{ cases: number; of: number }>({ cases: number, of: number })),
  better: boolean,
});

const metricRow = object<MetricRow>({
  eval: string,
  kind: oneOf(EVAL_KINDS),
  status: oneOf(EVAL_STATUSES),
  reason: optional(string),
  metric: string,
  parent: nullable(number),
  value: nullable(number),
  delta: nullable(number),
  better: nullable(boolean),
  objective: boolean,
  spread: optional(number),
});

const caseRow = object<CaseRow>({ eval: string, holdout: boolean, newlyPassing: arrayOf(string), newlyFailing: arrayOf(string) });

const leftOut = object<LeftOut>({ path: string, reason: string });

const conversationStep = object<ConversationStep>({ tool: string, input: string, result: string, isError: boolean });

const modelTally = object<ModelTally>({ model: string, proposals: number, improvements: number, usage });

const diagnosis = object<Diagnosis>({ failurePattern: string, rootCause: string, hypothesis: string, expectedEffect: string });

const review = object<Review>({
  id: string,
  title: string,
  rationale: string,
  diagnosis: optional(diagnosis),
  status: oneOf(CANDIDATE_STATUSES),
  reason: optional(string),
  flags: arrayOf(string),
  proposer: string,
  parent: nullable(string),
  base: string,
  contentHash: optional(string),
  createdAt: string,
  durationMs: number,
  objective: optional(objectiveRow),
  metrics: arrayOf(metricRow),
  cases: arrayOf(caseRow),
  diff: string,
  changedPaths: arrayOf(string),
  usage: optional(usage),
  leftOut: optional(arrayOf(leftOut)),
  lineage: arrayOf(string),
  model: optional(string),
  conversation: optional(arrayOf(conversationStep)),
  derivedFrom: optional(string),
});

const runPoint = object<RunPoint>({ id: string, parent: nullable(string), status: oneOf(CANDIDATE_STATUSES), title: string, value: optional(number), partial: optional(boolean) });
const raceTally = object<RaceTally>({ candidates: number, stopped: number, cases: number, of: number, sparedCostUsd: number, sparedCalls: number });

const trends = object<Trends>({
  metric: string,
  versions: arrayOf(object<TrendPoint>({ version: string, kind: oneOf(['baseline', 'approval', 'rollback'] as const), date: string, value: nullable(number) })),
  runs: arrayOf(object<RunCost>({ id: string, startedAt: string, costUsd: number, evalCostUsd: number, evaluations: number, candidates: number })),
});

const coauthoring = object<Coauthoring>({
  files: arrayOf(
    object<ChangeFile>({
      path: string,
      hunks: arrayOf(object<HunkPreview>({ number, header: string, lines: arrayOf(string), more: number })),
      locked: optional(string),
    }),
  ),
  cannotEdit: optional(string),
  cannotEvaluate: optional(string),
  checkedOut: boolean,
});

const outcome = object<Outcome>({ level: oneOf(['info', 'error'] as const), message: string });

const snapshot = object<ReviewSnapshot>({
  review,
  run: object<RunPicture>({ points: arrayOf(runPoint), current: optional(number), metric: string, models: arrayOf(modelTally), race: optional(raceTally) }),
  pending: arrayOf(object<PendingItem>({ id: string, title: string })),
  canDecide: boolean,
  untrusted: optional(string),
  coauthoring,
  lessons: optional(object<Lessons>({ file: string, text: string })),
  outcome: optional(outcome),
  trends: optional(trends),
  chain: optional(approvalChain),
  unread: optional(arrayOf(string)),
});

const toWebview: Parsers<ToWebview> = {
  review: object<Extract<ToWebview, { type: 'review' }>>({ type: literal('review'), snapshot }),
  empty: object<Extract<ToWebview, { type: 'empty' }>>({ type: literal('empty'), message: string, outcome: optional(outcome), trends: optional(trends), unread: optional(arrayOf(string)) }),
  casePage: object<CasePageReply>({ type: literal('casePage'), id: string, query: pageQuery, page: optional(caseEvidencePage), error: optional(string) }),
  compare: object<Extract<ToWebview, { type: 'compare' }>>({ type: literal('compare'), comparison }),
  compareFailed: object<Extract<ToWebview, { type: 'compareFailed' }>>({ type: literal('compareFailed'), message: string }),
  comparePage: object<ComparePageReply>({ type: literal('comparePage'), a: compareRef, b: compareRef, query: pageQuery, page: optional(comparedCasePage), error: optional(string) }),
  reply: object<Reply>({ type: literal('reply'), seq, error: optional(string) }),
};

function parse<M extends { type: string }>(parsers: Parsers<M>, value: unknown): M | undefined {
  const byType: Partial<Record<string, Reader<M>>> = parsers;
  // hasOwn: a type named like an Object.prototype member ("toString") is no variant.
  if (!isRecord(value) || typeof value.type !== 'string' || !Object.hasOwn(byType, value.type)) return undefined;
  const parser = byType[value.type];
  return parser && readOrUndefined(parser, value);
}

/** Checks a message from the webview on arrival in the extension. */
export function parseFromWebview(value: unknown): FromWebview | undefined {
  return parse(fromWebview, value);
}

/** Checks a message from the extension on arrival in the webview. */
export function parseToWebview(value: unknown): ToWebview | undefined {
  return parse(toWebview, value);
}
