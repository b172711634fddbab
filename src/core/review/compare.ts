import type { Config } from '../config/config';
import { pathPolicy } from '../config/pathPolicy';
import { usageError } from '../common/errors';
import { listVersions, type Version } from './versions';
import { shortSha, type Git } from '../git/git';
import type { EvalStatus, Evaluation } from '../grade/evaluation';
import { gain, type CaseResult, type Metrics } from '../grade/metrics';
import { round } from '../common/numbers';
import type { Store } from '../record/store';
import { sideOf } from './caseEvidence';
import { pageOf } from './paging';
import type { EvalKind } from '../../shared/review';
import {
  COMPARED_CASE_CHANGES,
  type ComparedCase,
  type ComparedCaseChange,
  type ComparedCasePage,
  type ComparedMetric,
  type ComparedSide,
  type CompareQuery,
  type CompareRef,
  type Comparison,
} from '../../shared/compare';

/**
 * Two candidates, or a candidate and a version of the branch, side by side: every
 * metric of every eval on both (B − A), the cases that pass on one side and fail on
 * the other with the evidence each record holds (filtered and paged, as the cases
 * behind a score are), and the diff of the editable files from A to B. A version's
 * results are those of the newest run that started from it, else of the candidate
 * it approved (or, for a rollback, of the version it restored). Only reads.
 */
export async function compare(git: Git, store: Store, config: Config, a: CompareRef, b: CompareRef, query: CompareQuery = {}): Promise<Comparison> {
  const [sa, sb] = await sidesOf(git, store, config, a, b);
  const changedPaths = await editableChanges(git, config, sa.shown.commit, sb.shown.commit);
  return {
    a: sa.shown,
    b: sb.shown,
    objective: { eval: config.objective.eval, metric: config.objective.metric },
    metrics: metricsOf(config, sa.results, sb.results),
    cases: casesOf(sa.results, sb.results, query),
    changedPaths,
    diff: changedPaths.length > 0 && sa.shown.commit && sb.shown.commit ? await git.diff(sa.shown.commit, sb.shown.commit, changedPaths) : '',
  };
}

/** A page of the cases that differ between A and B, for a list that asks for more. */
export async function comparedCases(git: Git, store: Store, config: Config, a: CompareRef, b: CompareRef, query: CompareQuery): Promise<ComparedCasePage> {
  const [sa, sb] = await sidesOf(git, store, config, a, b);
  return casesOf(sa.results, sb.results, query);
}

/** One eval's outcome on a side, as compared; `status` is null when only its metrics are on record (a commit trailer). */
interface EvalResult {
  kind: EvalKind;
  status: EvalStatus | null;
  metrics: Metrics;
  cases: CaseResult[];
}

interface Side {
  shown: ComparedSide;
  /** By eval, in cascade order. */
  results: Map<string, EvalResult>;
}

async function sidesOf(git: Git, store: Store, config: Config, a: CompareRef, b: CompareRef): Promise<[Side, Side]> {
  // The version timeline is read once, and only when a side is a version.
  let versions: Promise<Version[]> | undefined;
  const timeline = (): Promise<Version[]> => (versions ??= listVersions(git, store, config));
  const side = (ref: CompareRef): Promise<Side> => (ref.kind === 'candidate' ? Promise.resolve(candidateSide(store, config, ref.id)) : versionSide(store, config, ref.commit, timeline));
  return [await side(a), await side(b)];
}

function candidateSide(store: Store, config: Config, idOrPrefix: string): Side {
  const c = store.candidate(idOrPrefix);
  const results = resultsOf(c.evaluation);
  return {
    shown: {
      ref: { kind: 'candidate', id: c.id },
      name: `candidate ${c.id}`,
      title: c.title,
      detail: c.status,
      commit: c.commit ?? null,
      objective: objectiveOf(config, results),
      ...(c.evaluation ? {} : { missing: `candidate ${c.id} was not evaluated${c.reason ? ` (${c.reason})` : ''}` }),
    },
    results,
  };
}

async function versionSide(store: Store, config: Config, commit: string, timeline: () => Promise<Version[]>): Promise<Side> {
  const versions = await timeline();
  const v = versions.find((x) => x.commit === commit) ?? uniquePrefix(versions, commit);
  const evaluation = versionEvaluation(store, v, versions, new Set());
  // Without an evaluation on record, a version may still carry its objective eval's metrics (from its commit's trailer).
  const results = evaluation ? resultsOf(evaluation) : new Map(v.metrics ? [[config.objective.eval, { kind: 'train' as const, status: null, metrics: v.metrics, cases: [] }]] : []);
  const missing = evaluation ? undefined : v.metrics ? `${v.version} has no evaluation on record, only its ${config.objective.eval} metrics` : `${v.version} was not measured: no run started from it`;
  return {
    shown: {
      ref: { kind: 'version', commit: v.commit },
      name: `${v.version} (${shortSha(v.commit)})`,
      title: v.title,
      detail: v.kind,
      commit: v.commit,
      objective: objectiveOf(config, results),
      ...(missing ? { missing } : {}),
    },
    results,
  };
}

function uniquePrefix(versions: Version[], commit: string): Version {
  const matches = commit.length >= 4 ? versions.filter((v) => v.commit.startsWith(commit)) : [];
  const [match, ...others] = matches;
  if (!match || others.length > 0) throw usageError(`${commit} is not a version of the checked-out branch; \`aiai versions\` lists them`);
  return match;
}

/** The evaluation of a version's files: a run that started from it, the candidate it approved, or the version it restored. */
function versionEvaluation(store: Store, v: Version, versions: Version[], seen: Set<string>): Evaluation | undefined {
  seen.add(v.commit);
  for (const run of store.runsNewestFirst()) if (run.base === v.commit && run.baseline) return run.baseline;
  if (v.candidate) {
    try {
      const evaluation = store.candidate(v.candidate).evaluation;
      if (evaluation) return evaluation;
    } catch {
      // An approved candidate whose record cannot be read: the version is then compared on what else is on record.
    }
  }
  const restored = v.restores === undefined || seen.has(v.restores) ? undefined : versions.find((x) => x.commit === v.restores);
  return restored && versionEvaluation(store, restored, versions, seen);
}

function resultsOf(evaluation: Evaluation | undefined): Map<string, EvalResult> {
  return new Map(
    (evaluation?.evals ?? []).map((e) => [e.name, { kind: e.holdout ? 'holdout' : e.gate ? 'gate' : 'train', status: e.status, metrics: e.metrics, cases: e.cases }]),
  );
}

function objectiveOf(config: Config, results: Map<string, EvalResult>): number | null {
  return results.get(config.objective.eval)?.metrics[config.objective.metric] ?? null;
}

/** Each eval of A, then those only B ran; each metric of either, A's first. */
function metricsOf(config: Config, a: Map<string, EvalResult>, b: Map<string, EvalResult>): ComparedMetric[] {
  const rows: ComparedMetric[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const ea = a.get(name);
    const eb = b.get(name);
    const kind = (ea ?? eb)?.kind ?? 'train';
    const common = { eval: name, kind, statusA: ea?.status ?? null, statusB: eb?.status ?? null };
    const metrics = new Set([...Object.keys(ea?.metrics ?? {}), ...Object.keys(eb?.metrics ?? {})]);
    if (metrics.size === 0) rows.push({ ...common, metric: '', a: null, b: null, delta: null, better: null, objective: false });
    for (const metric of metrics) {
      const va = ea?.metrics[metric] ?? null;
      const vb = eb?.metrics[metric] ?? null;
      const objective = name === config.objective.eval && metric === config.objective.metric;
      const better = objective && va !== null && vb !== null && va !== vb ? gain(config.objective, vb, va) > 0 : null;
      rows.push({ ...common, metric, a: va, b: vb, delta: va !== null && vb !== null ? round(vb - va) : null, better, objective });
    }
  }
  return rows;
}

/** The cases both sides ran that pass on one and fail on the other: those passing on A only first. */
function casesOf(a: Map<string, EvalResult>, b: Map<string, EvalResult>, query: CompareQuery): ComparedCasePage {
  const all: ComparedCase[] = [];
  const counts: Record<ComparedCaseChange, number> = { 'passes-in-a': 0, 'passes-in-b': 0 };
  for (const change of COMPARED_CASE_CHANGES) {
    for (const [name, ea] of a) {
      const eb = b.get(name);
      if (!eb) continue;
      const onB = new Map(eb.cases.map((c) => [c.id, c]));
      for (const ca of ea.cases) {
        const cb = onB.get(ca.id);
        if (!cb || ca.passed === cb.passed || ca.passed !== (change === 'passes-in-a')) continue;
        counts[change]++;
        const input = ca.input ?? cb.input;
        const expected = ca.expected ?? cb.expected;
        all.push({
          eval: name,
          holdout: ea.kind === 'holdout',
          change,
          id: ca.id,
          ...(input !== undefined ? { input } : {}),
          ...(expected !== undefined ? { expected } : {}),
          a: sideOf(ca),
          b: sideOf(cb),
        });
      }
    }
  }
  const page = pageOf(all, query, (c) => [c.id, c.eval, c.input, c.expected, c.a.output, c.a.feedback, c.b.output, c.b.feedback]);
  return { cases: page.items, offset: page.offset, total: page.total, counts };
}

/** The editable files that differ between the two commits; none when a side has no commit. */
async function editableChanges(git: Git, config: Config, a: string | null, b: string | null): Promise<string[]> {
  if (!a || !b) return [];
  const policy = pathPolicy(config);
  return (await git.changedPaths(a, b)).filter((p) => policy.isEditable(p)).sort();
}
