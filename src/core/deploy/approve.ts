import { runtimeError } from '../common/errors';
import type { Config } from '../config/config';
import { formatKnobValue, readKnobValue } from '../config/knobs';
import { CANDIDATE_REFS, shortSha, type Git } from '../git/git';
import { WorkingTree } from '../git/workingTree';
import type { CandidateRecord } from '../record/records';
import { applyOnto, type Growth } from './growth';
import { land } from './landing';
import { deploying, refuseDirty, requireBranch, type Actor, type Workspace } from './preconditions';
import { CANDIDATE_TRAILER, METRICS_TRAILER } from './versions';

export interface ApproveOptions extends Actor {
  /** The content hash the person reviewed; refused if the candidate no longer has it. */
  contentHash?: string;
}

export interface ApproveResult {
  candidate: CandidateRecord;
  /** The commit the approval made on the branch. */
  commit: string;
  /** The pending candidates it made no longer worth applying, now `superseded`. */
  superseded: CandidateRecord[];
}

/**
 * Commits a pending candidate's change on the checked-out branch, after checking it
 * is still the content that was evaluated and reviewed. Then marks superseded what
 * the approval made no longer worth applying (`supersede.ts`).
 */
export function approve(workspace: string, idOrPrefix: string, options: ApproveOptions): Promise<ApproveResult> {
  return deploying(workspace, 'approve', options.onNotice, (opened) => approveHeld(opened, idOrPrefix, options));
}

async function approveHeld({ git, store, config }: Workspace, idOrPrefix: string, options: ApproveOptions): Promise<ApproveResult> {
  const candidate = store.candidate(idOrPrefix);
  if (candidate.status === 'superseded') {
    throw runtimeError(`candidate ${candidate.id} cannot be approved: it is ${candidate.reason ?? 'superseded'}. Its commit is kept (${CANDIDATE_REFS}/${candidate.id}); nothing was applied`);
  }
  if (candidate.status !== 'pending') {
    throw runtimeError(`candidate ${candidate.id} is ${candidate.status}${candidate.reason ? ` (${candidate.reason})` : ''}; only a pending candidate can be approved`);
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
  const { grown, tree: newTree } = await applyOnto(git, (id) => store.candidate(id), { ...candidate, commit: evaluated }, head);
  if (!newTree) {
    throw runtimeError(
      `HEAD moved since candidate ${candidate.id} was made (from ${shortSha(candidate.base)} to ${shortSha(head)}) and its change no longer applies cleanly; ` +
        'nothing was applied. Run the loop again from the current version.',
    );
  }
  if (newTree === (await git.treeOf(head))) {
    throw runtimeError(`the branch already contains candidate ${candidate.id}'s change; nothing to apply`);
  }
  const touched = await git.changedPaths(head, newTree);
  const touchedSet = new Set(touched);
  const dirty = (await git.dirtyPaths()).filter((p) => touchedSet.has(p));
  // Uncommitted edits that are exactly what the approval commits (after `aiai try`, or an edit by hand) are not in the way.
  const differing = new Set(await new WorkingTree(git).differing(newTree, dirty));
  refuseDirty(dirty, (p) => differing.has(p), 'approve', 'the files this candidate changes');
  const message = await approvalMessage(git, config, candidate, grown, touched, head, newTree);
  const commit = await git.commitTree(newTree, [head], message, true);
  // Staged as the commit has them, git's fast-forward takes them as they are: nothing of the person's is overwritten.
  await git.stage(newTree, dirty.filter((p) => !differing.has(p)));
  const superseded = await land(git, store, { op: 'approve', branch, from: head, to: commit, by: options.by, candidate: candidate.id, contentHash, startedAt: new Date().toISOString() });
  return { candidate: store.candidate(candidate.id), commit, superseded };
}

/**
 * The approval's commit message, about the change against the branch: every step
 * since the version it replaces, every file and knob it changes, and the objective
 * from that version's value to the candidate's.
 */
async function approvalMessage(git: Git, config: Config, candidate: CandidateRecord, grown: Growth, files: string[], head: string, tree: string): Promise<string> {
  const earlier = grown.steps.length - 1;
  const subject = `aiai: ${candidate.title}${earlier > 0 ? ` (and ${earlier} earlier step${earlier === 1 ? '' : 's'})` : ''}`;
  const knobs: string[] = [];
  for (const knob of config.knobs.filter((k) => files.includes(k.file))) {
    const before = readKnobValue(knob, (await git.readFile(head, knob.file)) ?? '');
    const after = readKnobValue(knob, (await git.readFile(tree, knob.file)) ?? '');
    if (before.ok && after.ok && before.value !== after.value) knobs.push(`${knob.name} ${formatKnobValue(knob, before.value)} → ${formatKnobValue(knob, after.value)}`);
  }
  const o = candidate.objective;
  const from = grown.fromValue ?? o?.parent;
  return [
    subject,
    '',
    candidate.rationale,
    '',
    ...(earlier > 0 ? ['Steps since the version it replaces:', ...grown.steps.map((c) => `- ${c.title} (${c.id})`), ''] : []),
    `Files: ${files.join(', ')}`,
    ...(knobs.length > 0 ? [`Knobs: ${knobs.join(', ')}`] : []),
    '',
    `${CANDIDATE_TRAILER}: ${candidate.id}`,
    ...(o && from !== undefined ? [`${METRICS_TRAILER}: ${o.metric} ${from} -> ${o.value}`] : []),
    '',
  ].join('\n');
}
