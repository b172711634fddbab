import type { Config } from '../config/config';
import { shortSha, type Git, type LogEntry } from '../git/git';
import type { Metrics } from '../grade/metrics';
import type { Store } from '../record/store';

export const CANDIDATE_TRAILER = 'Aiai-Candidate';
export const METRICS_TRAILER = 'Aiai-Metrics';
export const ROLLBACK_TRAILER = 'Aiai-Rollback';

export interface Version {
  /** v0 is the baseline; v1, v2, … follow in the order they were made. */
  version: string;
  commit: string;
  kind: 'baseline' | 'approval' | 'rollback';
  title: string;
  date: string;
  candidate?: string;
  /** For a rollback, the commit whose editable files it restored. */
  restores?: string;
  /** The objective eval's metrics at this version, when they were measured. */
  metrics: Metrics | null;
}

/**
 * The version timeline of the checked-out branch, newest first: the baseline (the
 * commit before the first aiai commit, or HEAD when there is none) and every
 * approval and rollback commit since, read from their trailers.
 */
export async function listVersions(git: Git, store: Store, config: Config): Promise<Version[]> {
  const log = await git.firstParentLog('HEAD');
  const ours = log.filter(isVersionCommit).reverse();
  const [first] = ours;
  const baselineCommit = first ? first.parents[0] : log[0]?.sha;
  const baselineEntry = log.find((e) => e.sha === baselineCommit);

  const candidates = store.some(new Set(ours.flatMap((e) => e.trailers[CANDIDATE_TRAILER] ?? [])));
  const measured = baselineMetrics(store, config);

  const versions: Version[] = [];
  const trees = new Map<string, string>();
  if (baselineEntry) {
    trees.set(baselineEntry.sha, baselineEntry.tree);
    versions.push({
      version: 'v0',
      commit: baselineEntry.sha,
      kind: 'baseline',
      title: baselineEntry.subject,
      date: baselineEntry.date,
      metrics: measured(baselineEntry.sha) ?? null,
    });
  }
  for (const entry of ours) {
    const candidateId = entry.trailers[CANDIDATE_TRAILER];
    const version: Version = {
      version: `v${versions.length}`,
      commit: entry.sha,
      kind: candidateId ? 'approval' : 'rollback',
      title: entry.subject,
      date: entry.date,
      metrics: null,
    };
    // A version's metrics are those measured on its very tree, never another's.
    if (candidateId) {
      version.candidate = candidateId;
      const candidate = candidates.get(candidateId);
      const evaluation = candidate?.contentHash === entry.tree ? candidate.evaluation?.evals.find((e) => e.name === config.objective.eval) : undefined;
      version.metrics = evaluation?.metrics ?? measured(entry.sha) ?? (candidate ? null : metricsFromTrailer(entry.trailers[METRICS_TRAILER]));
    } else {
      const restores = (entry.trailers[ROLLBACK_TRAILER] ?? '').split(' ').at(-1) ?? '';
      version.restores = restores;
      const restored = versions.find((v) => v.commit === restores);
      version.metrics = (restored && trees.get(restored.commit) === entry.tree ? restored.metrics : null) ?? measured(entry.sha) ?? null;
    }
    trees.set(entry.sha, entry.tree);
    versions.push(version);
  }
  return versions.reverse();
}

/**
 * The objective eval's metrics of a commit as the newest run that started from it
 * measured them. Run records are read newest first and only as far as a question
 * needs: a store of hundreds of runs answers from the last few.
 */
function baselineMetrics(store: Store, config: Config): (commit: string) => Metrics | undefined {
  const runs = store.runsNewestFirst();
  const measured = new Map<string, Metrics>();
  return (commit) => {
    for (let next = runs.next(); !measured.has(commit) && !next.done; next = runs.next()) {
      const run = next.value;
      const evaluation = run.baseline?.ok ? run.baseline.evals.find((e) => e.name === config.objective.eval) : undefined;
      if (evaluation && !measured.has(run.base)) measured.set(run.base, evaluation.metrics);
    }
    return measured.get(commit);
  };
}

/** Whether a commit is a version aiai made: an approval or a rollback, by its trailers. */
function isVersionCommit(entry: LogEntry): boolean {
  return Boolean(entry.trailers[CANDIDATE_TRAILER] || entry.trailers[ROLLBACK_TRAILER]);
}

/**
 * The version name of a commit on the branch, as `listVersions` numbers it: v0 for
 * the baseline, then one more for each approval and rollback in its first-parent
 * history. A commit that is neither is named by its short sha.
 */
export async function versionName(git: Git, commit: string): Promise<string> {
  const log = await git.firstParentLog(commit);
  if (!log[0] || (!isVersionCommit(log[0]) && log.some(isVersionCommit))) return shortSha(commit);
  return `v${log.filter(isVersionCommit).length}`;
}

/** "accuracy 0.61 -> 0.68", or "accuracy -> 0.68" where the value before was not measured → { accuracy: 0.68 } */
function metricsFromTrailer(trailer: string | undefined): Metrics | null {
  const match = /^(\S+)\s+(?:\S+\s*)?->\s*(\S+)$/.exec(trailer ?? '');
  const [, metric, value] = match ?? [];
  return metric !== undefined && Number.isFinite(Number(value)) ? { [metric]: Number(value) } : null;
}
