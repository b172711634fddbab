import { pathPolicy } from '../config/pathPolicy';
import { runtimeError, usageError } from '../common/errors';
import { changeOnto } from '../git/changeOnto';
import type { FileChange } from '../git/git';
import { WorkingTree } from '../git/workingTree';
import { built, type CandidateRecord } from '../record/records';
import { deploying, refuseDirty, type Actor, type Workspace } from './preconditions';

export interface CheckoutResult {
  candidate: CandidateRecord;
  /** The files written, in the working tree only. */
  written: string[];
  /** Files the candidate changes that are not editable under the config now: left as they are. */
  leftOut: string[];
  /** Set when nothing needed writing: the current version or the working tree holds the change already. */
  heldBy?: 'the current version' | 'the working tree';
}

/**
 * `aiai checkout`: writes a candidate's change (its diff base..commit, editable files
 * only, carried onto the current version when the branch moved since) into the
 * working tree, for the person to edit and then grade with `aiai try --parent`. The
 * index and the branch are left alone. It refuses, and changes nothing, while a file
 * it would write holds uncommitted edits, or when the change does not apply.
 */
export function checkoutCandidate(workspace: string, idOrPrefix: string, options: Pick<Actor, 'onNotice'> = {}): Promise<CheckoutResult> {
  return deploying(workspace, 'checkout', options.onNotice, (opened) => checkoutHeld(opened, idOrPrefix));
}

async function checkoutHeld({ git, store, config }: Workspace, idOrPrefix: string): Promise<CheckoutResult> {
  const candidate = store.candidate(idOrPrefix);
  const { id, base, commit } = built(candidate, 'check out');
  const policy = pathPolicy(config);
  const changed = await git.changedPaths(base, commit);
  const paths = changed.filter((p) => !policy.whyNotChangeable(p));
  const leftOut = changed.filter((p) => !paths.includes(p));
  if (paths.length === 0) throw usageError(`candidate ${id} changes no file that is editable under the config now (it changes ${changed.join(', ')})`);

  const inCommit = new Map((await git.lsTree(commit, paths)).map((e) => [e.path, e]));
  const changes: FileChange[] = paths.map((p) => {
    const entry = inCommit.get(p);
    return entry ? { path: p, mode: entry.mode, sha: entry.sha } : { path: p, content: null };
  });
  const head = await git.head();
  const carried = await changeOnto(git, base, head, changes);
  if (!carried.ok) throw runtimeError(`refusing to check out candidate ${id}: its change does not apply to the current version, as ${carried.reason}. Nothing was changed.`);
  const toWrite = (await git.changedPaths(head, carried.tree)).filter((p) => paths.includes(p));
  const done = { candidate, written: [], leftOut };
  if (toWrite.length === 0) return { ...done, heldBy: 'the current version' };
  const tree = new WorkingTree(git);
  if ((await tree.differing(carried.tree, toWrite)).length === 0) return { ...done, heldBy: 'the working tree' };
  refuseDirty(await tree.differing(head, toWrite), () => true, `check out candidate ${id}`, 'the files it would write');
  const patch = await git.diff(head, carried.tree, toWrite);
  try {
    // Without --index, git apply writes the working tree alone; it checks every hunk before it writes any file.
    await git.raw(['apply', '--whitespace=nowarn', '-'], { input: patch });
  } catch (error) {
    throw runtimeError(`refusing to check out candidate ${id}: its change does not apply to the working tree (${(error as Error).message}). Nothing was changed.`);
  }
  return { ...done, written: toWrite };
}
