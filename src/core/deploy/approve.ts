import { lstatSync } from 'node:fs';
import * as path from 'node:path';
import { runtimeError } from '../common/errors';
import type { Config } from '../config/config';
import { formatKnobValue, readKnobValue } from '../config/knobs';
import { CANDIDATE_REFS, shortSha, type Git } from '../git/git';
import { WorkingTree } from '../git/workingTree';
import { LOOP_ACTOR, type CandidateRecord } from '../record/records';
import { applyOnto } from './applyOnto';
import type { Growth } from '../review/growth';
import { land } from './landing';
import { deploying, refuseDirty, requireBranch, type Actor, type Workspace } from './preconditions';
import { CANDIDATE_TRAILER, METRICS_TRAILER } from '../review/versions';
import { commitAsDeveloper, stage } from '../git/developerBranch';

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
  refuseRejectedSteps(candidate, grown);
  if (!newTree) {
    throw runtimeError(
      `HEAD moved since candidate ${candidate.id} was made (from ${shortSha(candidate.base)} to ${shortSha(head)}) and its change no longer applies cleanly; ` +
        'nothing was applied. Run the loop again from the current version.',
    );
  }
  const headTree = await git.treeOf(head);
  if (newTree === headTree) {
    throw runtimeError(`the branch already contains candidate ${candidate.id}'s change; nothing to apply`);
  }
  if (newTree !== contentHash) {
    // The branch moved since it was graded: what would be committed was never measured, and its score would be a guess.
    throw runtimeError(
      `the branch moved since candidate ${candidate.id} was graded (${shortSha(candidate.base)} then, ${shortSha(head)} now), so what approving it would commit has never been graded; nothing was applied. ` +
        `Grade its change on the current version (\`aiai derive ${candidate.id}\` makes a candidate of it), then approve that one`,
    );
  }
  const touched = await git.changedPaths(head, newTree);
  const touchedSet = new Set(touched);
  const dirty = (await git.dirtyPaths()).filter((p) => touchedSet.has(p));
  // Uncommitted edits that are exactly what the approval commits (after `aiai try`, or an edit by hand) are not in the way.
  const differing = new Set(await new WorkingTree(git).differing(newTree, dirty));
  refuseDirty(dirty, (p) => differing.has(p), 'approve', 'the files this candidate changes');
  await refuseOverUntracked(git, head, newTree, touched);
  // The version it replaces was measured on its own tree: a score "from" is written only when the branch holds that tree.
  const fromMeasured = (await git.treeOf(grown.from)) === headTree;
  const message = await approvalMessage(git, config, candidate, grown, touched, head, newTree, fromMeasured);
  const commit = await commitAsDeveloper(git, newTree, [head], message);
  // Staged as the commit has them, git's fast-forward takes them as they are: nothing of the person's is overwritten.
  await stage(git, newTree, dirty.filter((p) => !differing.has(p)));
  const superseded = await land(git, store, { op: 'approve', branch, from: head, to: commit, by: options.by, candidate: candidate.id, contentHash, startedAt: new Date().toISOString() });
  return { candidate: store.candidate(candidate.id), commit, superseded };
}

/**
 * The approval's commit message, about the change against the branch: every step
 * since the version it replaces, every file and knob it changes, and the objective
 * from that version's value to the candidate's.
 */
async function approvalMessage(git: Git, config: Config, candidate: CandidateRecord, grown: Growth, files: string[], head: string, tree: string, fromMeasured: boolean): Promise<string> {
  const earlier = grown.steps.length - 1;
  const knobs: string[] = [];
  for (const knob of config.knobs.filter((k) => files.includes(k.file))) {
    const before = readKnobValue(knob, (await git.readFile(head, knob.file)) ?? '');
    const after = readKnobValue(knob, (await git.readFile(tree, knob.file)) ?? '');
    if (before.ok && after.ok && before.value !== after.value) knobs.push(`${knob.name} ${formatKnobValue(knob, before.value)} → ${formatKnobValue(knob, after.value)}`);
  }
  const subject = `aiai: ${subjectOf(candidate, earlier, knobs)}`;
  const o = candidate.objective;
  const from = fromMeasured ? (grown.fromValue ?? o?.parent) : undefined;
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
    ...(o ? [`${METRICS_TRAILER}: ${o.metric} ${from !== undefined ? `${from} ` : ''}-> ${o.value}`] : []),
    '',
  ].join('\n');
}

/** A commit subject short enough for `git log --oneline`. */
const SUBJECT_MAX = 72;

/**
 * What the approval changes against the branch, in a line. A chain's last title
 * names its step against an unapproved parent (a knob's move from the parent's
 * value), so a chain is told by its knobs' moves from the branch, or by its steps.
 */
function subjectOf(candidate: CandidateRecord, earlier: number, knobs: string[]): string {
  if (earlier === 0) return candidate.title;
  const steps = `${earlier + 1} steps`;
  const moves = `${knobs.join(', ')} (${steps})`;
  if (knobs.length > 0 && moves.length <= SUBJECT_MAX) return moves;
  return `${candidate.title}, after ${earlier} earlier step${earlier === 1 ? '' : 's'}${knobs.length > 0 ? ` (${knobs.length} knobs move)` : ''}`;
}

/** A step a person rejected never lands through a candidate that grew from it. */
function refuseRejectedSteps(candidate: CandidateRecord, grown: Growth): void {
  const rejected = grown.steps.slice(0, -1).find((s) => s.status === 'rejected' && s.decision?.by !== LOOP_ACTOR);
  if (!rejected) return;
  throw runtimeError(
    `candidate ${candidate.id} grew from ${rejected.id} ("${rejected.title}"), which ${rejected.decision?.by ?? 'a person'} rejected${rejected.reason ? ` (${rejected.reason})` : ''}: ` +
      `approving ${candidate.id} would deploy that change too, so nothing was applied. ` +
      `To keep only ${candidate.id}'s own step, grade it on the current version: \`aiai derive ${candidate.id} --own-step\``,
  );
}

/**
 * Refuses when the approval would write a file the branch does not track but the
 * working tree holds, ignored by git or not yet added: git's fast-forward would
 * overwrite the person's own file.
 */
async function refuseOverUntracked(git: Git, head: string, tree: string, touched: string[]): Promise<void> {
  const tracked = new Set((await git.lsTree(head, touched)).map((e) => e.path));
  const created = touched.filter((p) => !tracked.has(p) && lstatSync(path.join(git.root, p), { throwIfNoEntry: false }) !== undefined);
  const inTheWay = await new WorkingTree(git).differing(tree, created);
  if (inTheWay.length > 0) {
    throw runtimeError(
      `refusing to approve: the candidate creates ${inTheWay.join(', ')}, which your working tree holds and git does not track (ignored, or not added); approving would replace your file. ` +
        'Move or rename it first; nothing was changed.',
    );
  }
}
