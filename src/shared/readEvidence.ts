/**
 * Readers of the evidence a review and a comparison carry, for the protocol's
 * messages: the cases behind a score, the chain an approval applies, and two things
 * compared. Each rebuilds a value from checked fields, as `read.ts` does.
 */
import { CANDIDATE_STATUSES, CASE_CHANGES, EVAL_KINDS, EVAL_STATUSES, type ApprovalChain, type CaseEvidence, type CaseEvidencePage, type CaseSide, type VersionPoint } from './review';
import { COMPARED_CASE_CHANGES, type ComparedCase, type ComparedCasePage, type ComparedMetric, type ComparedSide, type CompareRef, type Comparison } from './compare';
import { arrayOf, boolean, isRecord, literal, nullable, number, object, oneOf, optional, string, type Reader } from './read';

export const compareRef: Reader<CompareRef> = (v) =>
  isRecord(v) && v.kind === 'version'
    ? object<Extract<CompareRef, { kind: 'version' }>>({ kind: literal('version'), commit: string })(v)
    : object<Extract<CompareRef, { kind: 'candidate' }>>({ kind: literal('candidate'), id: string })(v);

const chainPoint = object<VersionPoint>({ commit: string, version: optional(string), value: optional(number) });

export const approvalChain = object<ApprovalChain>({
  steps: arrayOf(object<ApprovalChain['steps'][number]>({ id: string, title: string, status: oneOf(CANDIDATE_STATUSES) })),
  from: chainPoint,
  current: chainPoint,
  objective: optional(object<NonNullable<ApprovalChain['objective']>>({ metric: string, current: number, value: number, delta: number, better: boolean })),
  moved: boolean,
});

const caseSide = object<CaseSide>({ passed: boolean, score: optional(number), output: optional(string), feedback: optional(string), model: optional(string) });

const caseEvidence = object<CaseEvidence>({
  eval: string,
  holdout: boolean,
  gradedApart: optional(boolean),
  change: oneOf(CASE_CHANGES),
  id: string,
  input: optional(string),
  expected: optional(string),
  before: nullable(caseSide),
  after: caseSide,
});

export const caseEvidencePage = object<CaseEvidencePage>({
  candidate: string,
  before: (v) =>
    isRecord(v) && v.kind === 'baseline'
      ? object<{ kind: 'baseline'; commit: string }>({ kind: literal('baseline'), commit: string })(v)
      : object<{ kind: 'candidate'; id: string }>({ kind: literal('candidate'), id: string })(v),
  beforeMissing: optional(string),
  cases: arrayOf(caseEvidence),
  offset: number,
  total: number,
  counts: object<CaseEvidencePage['counts']>({ 'newly-failing': number, 'newly-passing': number }),
});

const comparedSide = object<ComparedSide>({ ref: compareRef, name: string, title: string, detail: string, commit: nullable(string), objective: nullable(number), missing: optional(string) });

const comparedMetric = object<ComparedMetric>({
  eval: string,
  kind: oneOf(EVAL_KINDS),
  metric: string,
  statusA: nullable(oneOf(EVAL_STATUSES)),
  statusB: nullable(oneOf(EVAL_STATUSES)),
  a: nullable(number),
  b: nullable(number),
  delta: nullable(number),
  better: nullable(boolean),
  objective: boolean,
});

const comparedCase = object<ComparedCase>({
  eval: string,
  holdout: boolean,
  change: oneOf(COMPARED_CASE_CHANGES),
  id: string,
  input: optional(string),
  expected: optional(string),
  a: caseSide,
  b: caseSide,
});

export const comparedCasePage = object<ComparedCasePage>({
  cases: arrayOf(comparedCase),
  offset: number,
  total: number,
  counts: object<ComparedCasePage['counts']>({ 'passes-in-a': number, 'passes-in-b': number }),
});

export const comparison = object<Comparison>({
  a: comparedSide,
  b: comparedSide,
  objective: object<Comparison['objective']>({ eval: string, metric: string }),
  metrics: arrayOf(comparedMetric),
  cases: comparedCasePage,
  changedPaths: arrayOf(string),
  diff: string,
});
