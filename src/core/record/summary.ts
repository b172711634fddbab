import { capText } from '../common/text';
import { proposerReadsLog } from '../grade/grading';
import type { Metrics } from '../grade/metrics';
import { lastLines } from '../../shared/format';
import type { ObjectiveChange, QuickReason } from '../../shared/review';
import type { CandidateRecord } from './records';

/** Failing train cases a summary keeps (as many as a proposal shows), and the end of a failed train eval's log, in lines and characters. */
const FAILING_CASES_KEPT = 12;
const LOG_LINES = 10;
const LOG_CHARS = 1200;

/**
 * What a listing shows of a candidate: a couple of hundred bytes, against the
 * record's tens of KB. The store keeps these in a cache beside the records, so a
 * store of thousands of candidates lists without reading them.
 */
export type CandidateBrief = Pick<CandidateRecord, 'id' | 'runId' | 'createdAt' | 'status' | 'reason' | 'flags' | 'title' | 'model' | 'parent'> & {
  objective?: Pick<ObjectiveChange, 'metric' | 'value' | 'delta' | 'partial'>;
  /** A person's quick reason for a rejection. */
  because?: QuickReason;
};

/**
 * The rest of a summary, which `aiai list` does not parse: what the loop needs for a
 * proposer's view of earlier attempts and to spot a change already tried, and what
 * `list --json` adds.
 */
export type CandidateDetail = Pick<CandidateRecord, 'commit' | 'changeKey' | 'notImproved' | 'contentHash' | 'diagnosis'> & {
  /** Who decided, when someone did (a person, or the loop for what did not improve). */
  decidedBy?: string;
  /** Metrics by eval, holdout evals left out. */
  trainMetrics: Record<string, Metrics>;
  /** A holdout eval ran and did not pass. */
  holdoutFailed: boolean;
  /** Failing train cases, `eval/id`, the first FAILING_CASES_KEPT; none of an eval that leaked. */
  failingCases: string[];
  /** The end of the log of a train eval that failed, unless it leaked. */
  logTail?: string;
};

export type CandidateSummary = CandidateBrief & CandidateDetail;

/** The brief and the detail of a summary, each on its own. */
export function splitSummary({ commit, changeKey, notImproved, contentHash, diagnosis, decidedBy, trainMetrics, holdoutFailed, failingCases, logTail, ...brief }: CandidateSummary): { brief: CandidateBrief; detail: CandidateDetail } {
  const detail: CandidateDetail = { trainMetrics, holdoutFailed, failingCases };
  for (const [key, value] of Object.entries({ commit, changeKey, notImproved, contentHash, diagnosis, decidedBy, logTail })) if (value !== undefined) Object.assign(detail, { [key]: value });
  return { brief, detail };
}

export function summarize(c: CandidateRecord): CandidateSummary {
  const train = c.evaluation?.evals.filter((e) => !e.holdout) ?? [];
  // A proposer reads the failing cases and the log (`toAttempt`): nothing of an eval whose output leaked.
  const shown = train.filter((e) => !e.leaked);
  const failedLog = shown.find((e) => e.status !== 'passed' && e.status !== 'gate-failed' && proposerReadsLog(e))?.logTail;
  const optional = <K extends keyof CandidateRecord>(...keys: K[]): Partial<Pick<CandidateRecord, K>> =>
    Object.fromEntries(keys.filter((k) => c[k] !== undefined).map((k) => [k, c[k]])) as Partial<Pick<CandidateRecord, K>>;
  return {
    id: c.id,
    runId: c.runId,
    createdAt: c.createdAt,
    status: c.status,
    flags: c.flags,
    title: c.title,
    parent: c.parent,
    ...optional('reason', 'model', 'commit', 'contentHash', 'changeKey', 'notImproved', 'diagnosis'),
    ...(c.objective ? { objective: { metric: c.objective.metric, value: c.objective.value, delta: c.objective.delta, ...(c.objective.partial ? { partial: c.objective.partial } : {}) } } : {}),
    ...(c.decision ? { decidedBy: c.decision.by } : {}),
    ...(c.decision?.because ? { because: c.decision.because } : {}),
    trainMetrics: Object.fromEntries(train.map((e) => [e.name, e.metrics])),
    holdoutFailed: c.evaluation?.evals.some((e) => e.holdout && e.status !== 'passed') ?? false,
    failingCases: shown.flatMap((e) => e.cases.filter((k) => !k.passed).map((k) => `${e.name}/${k.id}`)).slice(0, FAILING_CASES_KEPT),
    ...(failedLog ? { logTail: capText(lastLines(failedLog, LOG_LINES), LOG_CHARS) } : {}),
  };
}
