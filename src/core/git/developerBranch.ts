import { runtimeError } from '../common/errors';
import type { Git } from './git';

/*
 * What only a deploy a person asked for does to their own checkout: a commit in
 * their name, their index, their branch. Only deploy/ imports this file (a layering
 * test holds it); everything else of aiai's commits as aiai, on refs of its own.
 */

/** A commit of `tree` as the developer, signed when their config asks for signed commits. */
export async function commitAsDeveloper(git: Git, tree: string, parents: string[], message: string): Promise<string> {
  const sign = await configFlag(git, 'commit.gpgsign');
  try {
    return (await git.raw(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), ...(sign ? ['-S'] : []), '-m', message])).trim();
  } catch (error) {
    const text = (error as Error).message;
    if (/Please tell me who you are|empty ident|unable to auto-detect email/i.test(text)) {
      throw runtimeError('git does not know who you are: set `git config user.name` and `git config user.email`, then try again');
    }
    if (sign) throw runtimeError(`your git config asks for signed commits (commit.gpgsign), and signing failed; nothing was applied. ${text}`);
    throw error;
  }
}

/** Puts these paths in the developer's index as `tree` has them. */
export async function stage(git: Git, tree: string, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const entries = await git.lsTree(tree, paths);
  await git.raw(['update-index', '--add', '-z', '--index-info'], { input: entries.map((e) => `${e.mode} ${e.sha}\t${e.path}\0`).join(''), hooks: true });
}

/**
 * Moves the checked-out branch forward to `commit`, updating index and files as git
 * does, refusing to overwrite local changes. The person's hooks run (`post-merge`,
 * say), as for their own `git merge`: a deploy is their act on their checkout,
 * after they read the diff, and a hook that installs dependencies or checks out
 * LFS files would otherwise leave the checkout unlike any other merge left it.
 * The commit itself is made by `commit-tree`, which runs no hook, as git's plumbing.
 */
export async function fastForward(git: Git, commit: string): Promise<void> {
  await git.raw(['merge', '--ff-only', '--quiet', commit], { hooks: true });
}

/** A boolean git setting; false when unset. */
async function configFlag(git: Git, key: string): Promise<boolean> {
  try {
    return (await git.raw(['config', '--bool', '--get', key])).trim() === 'true';
  } catch {
    return false;
  }
}
