import type { Config } from '../config/config';
import { growth } from './growth';
import { listVersions } from './versions';
import type { Git } from '../git/git';
import { gain } from '../grade/metrics';
import { round } from '../common/numbers';
import type { CandidateRecord } from '../record/records';
import type { Store } from '../record/store';
import type { ApprovalChain, VersionPoint } from '../../shared/review';

/**
 * What approving `candidate` would apply to the checked-out branch, read without
 * writing anything: the chain of steps from the version it replaces (its nearest
 * approved ancestor on the branch, or the run's base) to it, and its objective
 * against the version checked out now. A candidate that grew from pending ones is
 * thus reviewed as one change: approving it applies them all, and supersedes them.
 */
export async function approvalChain(git: Git, store: Store, config: Config, candidate: CandidateRecord): Promise<ApprovalChain> {
  const head = await git.head();
  const grown = await growth(git, (id) => store.candidate(id), candidate, head);
  const versions = await listVersions(git, store, config);
  const point = (commit: string, value: number | undefined): VersionPoint => {
    const version = versions.find((v) => v.commit === commit);
    const measured = value ?? version?.metrics?.[config.objective.metric];
    return { commit, ...(version ? { version: version.version } : {}), ...(measured !== undefined ? { value: measured } : {}) };
  };
  const fromCommit = grown.fromCandidate?.decision?.commit ?? grown.from;
  const from = point(fromCommit, grown.fromValue);
  const current = fromCommit === head ? { ...from } : point(head, undefined);
  const o = candidate.objective;
  return {
    steps: grown.steps.map((s) => ({ id: s.id, title: s.title, status: s.status })),
    from,
    current,
    ...(o && current.value !== undefined
      ? { objective: { metric: o.metric, current: current.value, value: o.value, delta: round(o.value - current.value), better: gain(config.objective, o.value, current.value) > 0 } }
      : {}),
    moved: fromCommit !== head,
  };
}
