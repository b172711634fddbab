import { shortSha, type FileChange, type Git } from './git';

export type Carried = { ok: true; tree: string } | { ok: false; reason: string };

/**
 * The tree of `head` with `changes`, made on `base`, merged in three ways, as git
 * merges: what a candidate's change (or part of it) comes to on the current
 * version. Nothing is checked out and no ref moves. When it does not apply, the
 * reason names the files the branch changed too.
 */
export async function changeOnto(git: Git, base: string, head: string, changes: FileChange[], options: { offBranch?: boolean } = {}): Promise<Carried> {
  const changed = await git.buildTree(base, changes);
  if (head === base) return { ok: true, tree: changed };
  // A change is made on a version of the branch, unless it is a step on a commit off it (a candidate's own step after its parent).
  if (!options.offBranch && !(await git.isAncestor(base, head))) {
    return { ok: false, reason: `it was made on ${shortSha(base)}, which is not in the history of the current version ${shortSha(head)}` };
  }
  const theirs = await git.commitTree(changed, [base], 'aiai: a change carried onto the current version');
  const tree = await mergeOnto(git, base, theirs, head);
  if (tree) return { ok: true, tree };
  const paths = new Set(changes.map((c) => c.path));
  const both = (await git.changedPaths(base, head)).filter((p) => paths.has(p));
  return { ok: false, reason: `it conflicts with what the branch changed since ${shortSha(base)}${both.length ? ` in ${both.join(', ')}` : ''}` };
}

/**
 * The tree of `head` with `commit`'s change merged in, from the version `from` it
 * grew from: a stand-in commit of head's tree on that version makes git merge from
 * there (`git merge-tree`, a real three-way merge touching no checkout), whatever
 * else head's history holds. Undefined when the change no longer applies cleanly.
 */
export async function mergeOnto(git: Git, from: string, commit: string, head: string): Promise<string | undefined> {
  const ours = head === from ? head : await git.commitTree(await git.treeOf(head), [from], "aiai: HEAD on the change's merge base");
  return git.mergeTrees(ours, commit);
}
