import { runtimeError, usageError } from '../common/errors';
import { CANDIDATE_REFS, shortSha, type Git } from '../git/git';
import type { CandidateRecord, Store } from '../record/store';
import { land } from './landing';
import { openWorkspace, refuseDirty, requireBranch, type Actor } from './preconditions';
import { CANDIDATE_TRAILER, METRICS_TRAILER } from './versions';

export interface ApproveOptions extends Actor {
  /** The content hash the person reviewed; refused if the candidate no longer has it. */
  contentHash?: string;
}

/**
 * Commits a pending candidate's change on the checked-out branch, after checking it
 * is still the content that was evaluated and reviewed.
 */
export async function approve(workspace: string, idOrPrefix: string, options: ApproveOptions): Promise<{ candidate: CandidateRecord; commit: string }> {
  const { git, store } = await openWorkspace(workspace, options.onNotice);
  const candidate = store.candidate(idOrPrefix);
  if (candidate.status !== 'pending') {
    throw usageError(`candidate ${candidate.id} is ${candidate.status}${candidate.reason ? ` (${candidate.reason})` : ''}; only a pending candidate can be approved`);
  }
  const evaluated = await git.tryRevParse(`${CANDIDATE_REFS}/${candidate.id}`);
  const contentHash = evaluated ? await git.treeOf(evaluated) : undefined;
  if (!evaluated || !contentHash || evaluated !== candidate.commit || contentHash !== candidate.contentHash) {
    throw runtimeError(`candidate ${candidate.id} no longer matches what was evaluated (its ref is missing or was changed); nothing was applied`);
  }
  if (options.contentHash !== undefined && options.contentHash !== contentHash) {
    throw runtimeError(`candidate ${candidate.id} has content hash ${contentHash}, not the reviewed ${options.contentHash}; nothing was applied`);
  }
  const { branch, head } = await requireBranch(git, 'approve');
  const newTree = await mergeOntoHead(git, store, candidate, evaluated, head);
  if (!newTree) {
    throw runtimeError(
      `HEAD moved since candidate ${candidate.id} was made (from ${shortSha(candidate.base)} to ${shortSha(head)}) and its change no longer applies cleanly; ` +
        'nothing was applied. Run the loop again from the current version.',
    );
  }
  if (newTree === (await git.treeOf(head))) {
    throw usageError(`the branch already contains candidate ${candidate.id}'s change; nothing to apply`);
  }
  const touched = new Set(await git.changedPaths(head, newTree));
  refuseDirty(await git.dirtyPaths(), (p) => touched.has(p), 'approve', 'the files this candidate changes');

  const o = candidate.objective;
  const message =
    `aiai: ${candidate.title}\n\n${candidate.rationale}\n\n` +
    `${CANDIDATE_TRAILER}: ${candidate.id}\n` +
    (o ? `${METRICS_TRAILER}: ${o.metric} ${o.parent} -> ${o.value}\n` : '');
  const commit = await git.commitTree(newTree, [head], message, true);
  await land(git, store, { op: 'approve', branch, from: head, to: commit, by: options.by, candidate: candidate.id, contentHash, startedAt: new Date().toISOString() });
  return { candidate: store.candidate(candidate.id), commit };
}

/**
 * The tree of HEAD with the candidate's change merged in. The merge base is the
 * version the candidate grew from: its nearest ancestor already approved onto this
 * branch, else the run's base; a stand-in commit of HEAD's tree on that base makes
 * git merge from there. Undefined when the change no longer applies cleanly.
 */
async function mergeOntoHead(git: Git, store: Store, candidate: CandidateRecord, commit: string, head: string): Promise<string | undefined> {
  let from = candidate.base;
  for (let id = candidate.parent.id; id !== null; ) {
    const ancestor = store.candidate(id);
    if (ancestor.status === 'approved' && ancestor.commit && ancestor.decision?.commit && (await git.isAncestor(ancestor.decision.commit, head))) {
      from = ancestor.commit;
      break;
    }
    id = ancestor.parent.id;
  }
  const ours = head === from ? head : await git.commitTree(await git.treeOf(head), [from], 'aiai: HEAD on the candidate\'s merge base');
  return git.mergeTrees(ours, commit);
}
