import { loadConfig, type Config } from '../config/config';
import { existsSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { audit } from '../record/audit';
import { clearJournal, readJournal, writeJournal, type DeployJournal } from './journal';
import { runtimeError, usageError } from '../common/errors';
import { CANDIDATE_REFS, Git } from '../git/git';
import { pathPolicy } from '../config/pathPolicy';
import { Store, type CandidateRecord } from '../record/store';
import { CANDIDATE_TRAILER, listVersions, METRICS_TRAILER, ROLLBACK_TRAILER, type Version } from './versions';

/*
 * Deploy and undo: the only code that writes the developer's branch. Each acts on a
 * person's request, refuses over uncommitted edits it would touch, and adds one
 * commit; history is never rewritten.
 */

export interface Actor {
  /** e.g. "person via cli", "person via vscode". */
  by: string;
  /** Told when an approval or rollback interrupted by a crash is completed first. */
  onNotice?(message: string): void;
}

export interface ApproveOptions extends Actor {
  /** The content hash the person reviewed; refused if the candidate no longer has it. */
  contentHash?: string;
}

export async function approve(workspace: string, idOrPrefix: string, options: ApproveOptions): Promise<{ candidate: CandidateRecord; commit: string }> {
  const { git, store } = await open(workspace, options.onNotice);
  const candidate = store.candidate(idOrPrefix);
  if (candidate.status !== 'pending') {
    throw usageError(`candidate ${candidate.id} is ${candidate.status}${candidate.reason ? ` (${candidate.reason})` : ''}; only a pending candidate can be approved`);
  }
  const refCommit = await git.tryRevParse(`${CANDIDATE_REFS}/${candidate.id}`);
  const tree = refCommit ? await git.treeOf(refCommit) : undefined;
  if (!refCommit || refCommit !== candidate.commit || tree !== candidate.contentHash) {
    throw runtimeError(`candidate ${candidate.id} no longer matches what was evaluated (its ref is missing or was changed); nothing was applied`);
  }
  if (options.contentHash !== undefined && options.contentHash !== candidate.contentHash) {
    throw runtimeError(`candidate ${candidate.id} has content hash ${candidate.contentHash}, not the reviewed ${options.contentHash}; nothing was applied`);
  }
  const head = await requireBranchHead(git, 'approve');
  const newTree = await mergeOntoHead(git, store, candidate, head);
  if (!newTree) {
    throw runtimeError(
      `HEAD moved since candidate ${candidate.id} was made (from ${short(candidate.base)} to ${short(head)}) and its change no longer applies cleanly; ` +
        'nothing was applied. Run the loop again from the current version.',
    );
  }
  if (newTree === (await git.treeOf(head))) {
    throw usageError(`the branch already contains candidate ${candidate.id}'s change; nothing to apply`);
  }
  const touched = await git.changedPaths(head, newTree);
  refuseDirty(await git.dirtyPaths(), new Set(touched), 'approve', 'the files this candidate changes');

  const o = candidate.objective;
  const message =
    `aiai: ${candidate.title}\n\n${candidate.rationale}\n\n` +
    `${CANDIDATE_TRAILER}: ${candidate.id}\n` +
    (o ? `${METRICS_TRAILER}: ${o.metric} ${o.parent} -> ${o.value}\n` : '');
  const commit = await git.commitTree(newTree, [head], message, true);
  await land(git, store, { op: 'approve', branch: (await git.currentBranch())!, from: head, to: commit, by: options.by, candidate: candidate.id, contentHash: candidate.contentHash!, startedAt: new Date().toISOString() });
  return { candidate: store.candidate(candidate.id), commit };
}

export async function reject(workspace: string, idOrPrefix: string, options: Actor & { reason?: string }): Promise<CandidateRecord> {
  const { store } = await open(workspace, options.onNotice);
  const candidate = store.candidate(idOrPrefix);
  if (candidate.status !== 'pending') throw usageError(`candidate ${candidate.id} is ${candidate.status}; only a pending candidate can be rejected`);
  const rejected: CandidateRecord = {
    ...candidate,
    status: 'rejected',
    ...(options.reason ? { reason: options.reason } : {}),
    decision: { at: new Date().toISOString(), by: options.by, ...(options.reason ? { reason: options.reason } : {}) },
  };
  store.saveCandidate(rejected);
  audit(store.workspace, { event: 'rejection', by: options.by, candidate: candidate.id, ...(candidate.contentHash ? { contentHash: candidate.contentHash } : {}), detail: options.reason ?? '' });
  return rejected;
}

export type RollbackResult = { target: Version | { version: string; commit: string }; commit: string | undefined };

/** Restores the editable files as they were at `version` (vN, "baseline", or a commit of the branch) in a new commit. */
export async function rollback(workspace: string, version: string, options: Actor): Promise<RollbackResult> {
  const { git, store, config } = await open(workspace, options.onNotice);
  const head = await requireBranchHead(git, 'roll back');
  const target = await resolveVersion(git, store, config, version);
  const policy = pathPolicy(config);

  refuseDirty(await git.dirtyPaths(), undefined, 'roll back', 'editable files', (p) => policy.isEditable(p));

  const wanted = (await git.lsTree(target.commit)).filter((e) => policy.isEditable(e.path));
  const current = (await git.lsTree(head)).filter((e) => policy.isEditable(e.path));
  const wantedByPath = new Map(wanted.map((e) => [e.path, e]));
  const currentByPath = new Map(current.map((e) => [e.path, e]));
  const changes = [
    ...wanted.filter((e) => currentByPath.get(e.path)?.sha !== e.sha || currentByPath.get(e.path)?.mode !== e.mode),
    ...current.filter((e) => !wantedByPath.has(e.path)).map((e) => ({ path: e.path, content: null })),
  ];
  if (changes.length === 0) return { target, commit: undefined };

  const tree = await git.buildTree(head, changes);
  const message =
    `aiai: roll back to ${target.version}\n\n` +
    `Restores the editable files (${config.editable.join(', ')}) as they were at ${target.version} (${short(target.commit)}).\n\n` +
    `${ROLLBACK_TRAILER}: ${target.version} ${target.commit}\n`;
  const commit = await git.commitTree(tree, [head], message, true);
  await land(git, store, { op: 'rollback', branch: (await git.currentBranch())!, from: head, to: commit, by: options.by, detail: `to ${target.version} (${target.commit})`, startedAt: new Date().toISOString() });
  return { target, commit };
}

/**
 * Moves the branch to a prepared commit, journaled: a crash at any point leaves the
 * branch where it was or where this put it, and the next deploy completes the rest.
 */
async function land(git: Git, store: Store, journal: DeployJournal): Promise<void> {
  writeJournal(git.root, journal);
  await git.fastForward(journal.to);
  settle(git, store, journal);
}

/** The records of a landed deploy: the candidate approved, the audit line, the journal gone. */
function settle(git: Git, store: Store, journal: DeployJournal): void {
  if (journal.op === 'approve' && journal.candidate) {
    const candidate = store.candidate(journal.candidate);
    if (candidate.status !== 'approved') {
      store.saveCandidate({ ...candidate, status: 'approved', decision: { at: new Date().toISOString(), by: journal.by, commit: journal.to } });
    }
    audit(git.root, { event: 'approval', by: journal.by, candidate: journal.candidate, ...(journal.contentHash ? { contentHash: journal.contentHash } : {}), commit: journal.to });
  } else {
    audit(git.root, { event: 'rollback', by: journal.by, commit: journal.to, ...(journal.detail ? { detail: journal.detail } : {}) });
  }
  clearJournal(git.root);
}

/**
 * Finishes an approval or rollback that a crash interrupted: it lands it when the
 * branch has not moved since, settles its records when it had landed, and drops it
 * when the branch has moved on. Returns what it did, for the user.
 */
async function completeInterrupted(git: Git, store: Store): Promise<string | undefined> {
  const journal = readJournal(git.root);
  if (!journal) return undefined;
  const head = await git.tryRevParse(journal.branch);
  if (head === journal.to) {
    settle(git, store, journal);
    return `finished recording an interrupted ${journal.op} (${short(journal.to)})`;
  }
  if (head === journal.from && (await git.currentBranch()) === journal.branch) {
    removeStaleIndexLock(git, journal);
    await git.fastForward(journal.to);
    settle(git, store, journal);
    return `completed an interrupted ${journal.op} (${short(journal.to)})`;
  }
  clearJournal(git.root);
  return `dropped an interrupted ${journal.op}: the branch has moved on since`;
}

/** git's index lock, when the interrupted merge left it (it is younger than the journal). */
function removeStaleIndexLock(git: Git, journal: DeployJournal): void {
  const lock = path.join(git.root, '.git', 'index.lock');
  if (existsSync(lock) && statSync(lock).mtimeMs >= Date.parse(journal.startedAt) - 1000) rmSync(lock, { force: true });
}

/**
 * The tree of HEAD with the candidate's change merged in. The merge base is the
 * version the candidate grew from: its nearest ancestor already approved onto this
 * branch, else the run's base; a stand-in commit of HEAD's tree on that base makes
 * git merge from there. Undefined when the change no longer applies cleanly.
 */
async function mergeOntoHead(git: Git, store: Store, candidate: CandidateRecord, head: string): Promise<string | undefined> {
  let from = candidate.base;
  for (let id = candidate.parent.id; id !== null; ) {
    const ancestor = store.candidate(id);
    if (ancestor.status === 'approved' && ancestor.decision?.commit && (await git.isAncestor(ancestor.decision.commit, head))) {
      from = ancestor.commit!;
      break;
    }
    id = ancestor.parent.id;
  }
  const ours = head === from ? head : await git.commitTree(await git.treeOf(head), [from], 'aiai: HEAD on the candidate\'s merge base');
  return git.mergeTrees(ours, candidate.commit!);
}

async function open(workspace: string, onNotice?: (message: string) => void): Promise<{ git: Git; store: Store; config: Config }> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const store = new Store(git.root);
  const done = await completeInterrupted(git, store);
  if (done) onNotice?.(done);
  return { git, store, config };
}

async function requireBranchHead(git: Git, action: string): Promise<string> {
  if (!(await git.currentBranch())) throw usageError(`HEAD is detached; check out a branch before you ${action}`);
  return git.head();
}

async function resolveVersion(git: Git, store: Store, config: Config, version: string): Promise<Version | { version: string; commit: string }> {
  const versions = await listVersions(git, store, config);
  const named = version === 'baseline' ? versions[versions.length - 1] : versions.find((v) => v.version === version);
  if (named) return named;
  const commit = await git.tryRevParse(version);
  if (!commit) throw usageError(`no version "${version}"; \`aiai versions\` lists them (v0 is the baseline), or give a commit of the branch`);
  if (!(await git.isAncestor(commit, 'HEAD'))) throw usageError(`commit ${short(commit)} is not in the history of the checked-out branch`);
  return versions.find((v) => v.commit === commit) ?? { version: short(commit), commit };
}

function refuseDirty(dirty: string[], among: Set<string> | undefined, action: string, what: string, include: (p: string) => boolean = () => true): void {
  const blocking = dirty.filter((p) => (among ? among.has(p) : true) && include(p));
  if (blocking.length > 0) {
    throw runtimeError(
      `refusing to ${action}: ${what} have uncommitted changes (${blocking.slice(0, 10).join(', ')}${blocking.length > 10 ? ', …' : ''}). ` +
        'Commit or stash them first; nothing was changed.',
    );
  }
}

function short(sha: string): string {
  return sha.slice(0, 8);
}
