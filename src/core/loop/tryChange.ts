import { loadConfig } from '../config/config';
import { pathPolicy, type PathPolicy } from '../config/pathPolicy';
import { usageError } from '../common/errors';
import { Git, shortSha } from '../git/git';
import { WorkingTree } from '../git/workingTree';
import { editsTo, textOf } from '../propose/personChange';
import type { LeftOut } from '../propose/proposer';
import { Store } from '../record/store';
import { candidateAsParent, gradePersonCandidate, pathsInTitle, type PersonOptions, type PersonResult } from './personCandidate';

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
 * anything runs, when no editable file changed; edits to other files are left out
 * and named in the result.
 */
export async function tryChange(workspace: string, options: TryOptions): Promise<PersonResult> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const head = await git.head();
  const from = options.parent ? await candidateAsParent(git, new Store(git.root), config, options.parent, head) : undefined;
  const tree = new WorkingTree(git);
  const policy = pathPolicy(config);
  const edited = await tree.differing(head, await tree.touched(head));
  const leftOut: LeftOut[] = edited.flatMap((p) => {
    const reason = notEditable(p, policy);
    return reason ? [{ path: p, reason }] : [];
  });
  const ownPaths = from ? from.record.changedPaths.filter((p) => !notEditable(p, policy)) : [];
  const paths = [...new Set([...edited.filter((p) => !notEditable(p, policy)), ...ownPaths])];
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
    const skipped = leftOut.length > 0 ? `; left out: ${leftOut.map((l) => `${l.path} (${l.reason})`).join(', ')}` : '';
    throw usageError(`nothing to try: no editable file in the working tree differs from ${on} (editable: ${config.editable.join(', ')})${skipped}`);
  }
  if (from && ownPaths.length > 0 && (await tree.differing(head, ownPaths)).length === 0) {
    options.onEvent?.({ type: 'notice', message: `the working tree does not hold candidate ${from.record.id}'s change (\`aiai checkout ${from.record.id}\` writes it there), so this candidate undoes it` });
  }
  if (leftOut.length > 0) options.onEvent?.({ type: 'notice', message: `left out of the candidate: ${leftOut.map((l) => `${l.path} (${l.reason})`).join(', ')}` });
  const changed = edits.map((e) => e.path);
  return gradePersonCandidate(
    workspace,
    { title: options.title ?? `a person's edit of ${pathsInTitle(changed)}`, rationale: `Edited by a person on ${on}, and graded with \`aiai try\`.`, edits },
    { ...(from ? { parent: from.parent } : {}), leftOut },
    options,
  );
}

/** Why a person's edit of a path is not taken, if it is not: the proposer's rules hold for a person too. */
function notEditable(file: string, policy: PathPolicy): string | undefined {
  if (policy.isProtected(file)) return 'protected';
  if (!policy.isEditable(file)) return 'outside the editable globs';
  return undefined;
}

function whyNotText(kind: ReturnType<WorkingTree['kind']>): string {
  if (kind === 'absent') return 'deleted, and a candidate can edit files but not delete them';
  if (kind === 'link') return 'a symbolic link, which a candidate may not hold';
  if (kind === 'other') return 'not a file';
  return 'not text, and a candidate carries text edits';
}
