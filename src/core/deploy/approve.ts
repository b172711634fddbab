import { runtimeError } from '../common/errors';
import type { Config } from '../config/config';
import { formatKnobValue, readKnobValue } from '../config/knobs';
import { CANDIDATE_REFS, shortSha, type Git } from '../git/git';
import type { Store } from '../record/store';
import type { CandidateRecord } from '../record/records';
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
  const { git, store, config } = await openWorkspace(workspace, options.onNotice);
  const candidate = store.candidate(idOrPrefix);
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
  const grown = await growth(git, store, candidate, head);
  const newTree = await mergeOntoHead(git, grown.from, evaluated, head);
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
  refuseDirty(await git.dirtyPaths(), (p) => touchedSet.has(p), 'approve', 'the files this candidate changes');
  const message = await approvalMessage(git, config, candidate, grown, touched, head, newTree);
  const commit = await git.commitTree(newTree, [head], message, true);
  await land(git, store, { op: 'approve', branch, from: head, to: commit, by: options.by, candidate: candidate.id, contentHash, startedAt: new Date().toISOString() });
  return { candidate: store.candidate(candidate.id), commit };
}

/** Where a candidate grew from on this branch, and the steps from there to it. */
interface Growth {
  /** The version it replaces: its nearest ancestor approved onto this branch, else the run's base. */
  from: string;
  /** That version's objective value, when it was measured. */
  fromValue: number | undefined;
  /** The candidates from there to this one, oldest first, this one last. */
  steps: CandidateRecord[];
}

async function growth(git: Git, store: Store, candidate: CandidateRecord, head: string): Promise<Growth> {
  const steps = [candidate];
  for (let id = candidate.parent.id; id !== null; ) {
    const ancestor = store.candidate(id);
    if (ancestor.status === 'approved' && ancestor.commit && ancestor.decision?.commit && (await git.isAncestor(ancestor.decision.commit, head))) {
      return { from: ancestor.commit, fromValue: ancestor.objective?.value, steps };
    }
    steps.unshift(ancestor);
    id = ancestor.parent.id;
  }
  return { from: candidate.base, fromValue: candidate.objective?.current, steps };
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

/**
 * The tree of HEAD with the candidate's change merged in, from the version it grew
 * from on this branch: a stand-in commit of HEAD's tree on that version makes git
 * merge from there. Undefined when the change no longer applies cleanly.
 */
async function mergeOntoHead(git: Git, from: string, commit: string, head: string): Promise<string | undefined> {
  const ours = head === from ? head : await git.commitTree(await git.treeOf(head), [from], 'aiai: HEAD on the candidate\'s merge base');
  return git.mergeTrees(ours, commit);
}
