import { loadConfig } from '../config/config';
import { pathPolicy } from '../config/pathPolicy';
import { runtimeError, usageError } from '../common/errors';
import { Git, shortSha } from '../git/git';
import { WorkingTree } from '../git/workingTree';
import { editsTo, textOf } from '../propose/personChange';
import type { LeftOut } from '../propose/proposer';
import { Store } from '../record/store';
import { guardOnCommit } from './guard';
import { candidateAsParent, gradePersonCandidate, pathsInTitle, type PersonOptions, type PersonResult } from './personCandidate';

/** Files left out that a message names; the rest are counted (all are in the result). */
const LEFT_OUT_NAMED = 10;

export interface TryOptions extends PersonOptions {
  /**
   * The candidate the working tree builds on (after `aiai checkout` of it, say); the
   * current version when absent.
   */
  parent?: string;
}

/**
 * `aiai try`: the person's uncommitted edits to editable files (tracked changes,
 * staged or not, and new untracked files) graded as a candidate whose proposer is
 * `person`. With a parent candidate, the working tree is taken to hold that
 * candidate's change plus the person's edits: the candidate is the working tree's
 * content of the editable files that differ from the parent or from the current
 * version. The working tree, the index and the branch are only read. Refuses, before
 * anything runs, when no editable file changed or the guard refuses the change;
 * edits to other files are left out and named in the result.
 */
export async function tryChange(workspace: string, options: TryOptions): Promise<PersonResult> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const head = await git.head();
  const from = options.parent ? await candidateAsParent(git, new Store(git.root), config, options.parent, head) : undefined;
  const tree = new WorkingTree(git);
  const policy = pathPolicy(config);
  // Only editable files are hashed: a large untracked data folder costs nothing. The others are named as git lists them.
  const touched = await tree.touched(head);
  const leftOut: LeftOut[] = touched.flatMap((p) => {
    const reason = policy.whyNotChangeable(p);
    return reason ? [{ path: p, reason }] : [];
  });
  const edited = await tree.differing(head, touched.filter((p) => !policy.whyNotChangeable(p)));
  const ownPaths = from ? from.record.changedPaths.filter((p) => !policy.whyNotChangeable(p)) : [];
  const paths = [...new Set([...edited, ...ownPaths])];
  const base = from?.parent.commit ?? head;
  const files = new Map<string, string>();
  for (const file of await tree.differing(base, paths)) {
    const bytes = tree.read(file);
    const text = bytes && textOf(bytes);
    if (text !== undefined) files.set(file, text);
    else leftOut.push({ path: file, reason: whyNotText(tree.kind(file)) });
  }
  const { edits, leftOut: unfit } = await editsTo(files, (file) => git.readFile(base, file));
  leftOut.push(...unfit);
  const on = from ? `candidate ${from.record.id}` : `the current version (${shortSha(head)})`;
  if (edits.length === 0) {
    const skipped = leftOut.length > 0 ? `; left out: ${leftOutText(leftOut)}` : '';
    throw usageError(`nothing to try: no editable file in the working tree differs from ${on} (editable: ${config.editable.join(', ')})${skipped}`);
  }
  // The loop would refuse it too, but only after evaluating the current version.
  const guarded = await guardOnCommit(git, policy, base, edits);
  if (!guarded.ok) throw runtimeError(`refusing to try this change: ${guarded.reason}. Nothing was evaluated or recorded.`);
  if (from && ownPaths.length > 0 && (await tree.differing(head, ownPaths)).length === 0) {
    options.onEvent?.({ type: 'notice', message: `the working tree does not hold candidate ${from.record.id}'s change (\`aiai checkout ${from.record.id}\` writes it there), so this candidate undoes it` });
  }
  if (leftOut.length > 0) options.onEvent?.({ type: 'notice', message: `left out of the candidate: ${leftOutText(leftOut)}` });
  const changed = edits.map((e) => e.path);
  return gradePersonCandidate(
    workspace,
    { title: options.title ?? `a person's edit of ${pathsInTitle(changed)}`, rationale: `Edited by ${options.by} on ${on}.`, edits },
    { ...(from ? { parent: from.parent } : {}), leftOut },
    options,
  );
}

/** What was left out, the first few by name: a folder of untracked data is not a wall of names. */
function leftOutText(leftOut: LeftOut[]): string {
  const named = leftOut.slice(0, LEFT_OUT_NAMED).map((l) => `${l.path} (${l.reason})`);
  return `${named.join(', ')}${leftOut.length > LEFT_OUT_NAMED ? `, and ${leftOut.length - LEFT_OUT_NAMED} more` : ''}`;
}

function whyNotText(kind: ReturnType<WorkingTree['kind']>): string {
  if (kind === 'absent') return 'deleted, and a candidate can edit files but not delete them';
  if (kind === 'link') return 'a symbolic link, which a candidate may not hold';
  if (kind === 'other') return 'not a file';
  return 'not text, and a candidate carries text edits';
}
