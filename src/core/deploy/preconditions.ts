import { loadConfig, type Config } from '../config/config';
import { EXCLUDED } from '../config/written';
import { runtimeError, usageError } from '../common/errors';
import { Git } from '../git/git';
import { Store } from '../record/store';
import { withDeployLock } from './deployLock';
import { completeInterrupted } from './landing';

/** Who deploys, and how they hear of an interrupted deploy that is completed first. */
export interface Actor {
  /** e.g. "person via cli", "person via vscode". */
  by: string;
  /** Told when an approval or rollback interrupted by a crash is completed first. */
  onNotice?(message: string): void;
}

export interface Workspace {
  git: Git;
  store: Store;
  config: Config;
}

/**
 * Runs a deploy (`what`: approve, reject…) as the workspace's only one, holding the
 * deploy lock, on the workspace opened after settling any deploy a crash interrupted:
 * everything it reads of the records is as the deploy before it left them.
 */
export function deploying<T>(workspace: string, what: string, onNotice: ((message: string) => void) | undefined, fn: (opened: Workspace) => Promise<T>): Promise<T> {
  return withDeployLock(workspace, what, async () => fn(await openWorkspace(workspace, onNotice)));
}

async function openWorkspace(workspace: string, onNotice?: (message: string) => void): Promise<Workspace> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const store = new Store(git.root);
  await git.excludeLocally(EXCLUDED);
  const done = await completeInterrupted(git, store);
  if (done) onNotice?.(done);
  return { git, store, config };
}

/** The checked-out branch and its commit; a detached HEAD is refused. */
export async function requireBranch(git: Git, action: string): Promise<{ branch: string; head: string }> {
  const branch = await git.currentBranch();
  if (!branch) throw usageError(`HEAD is detached; check out a branch before you ${action}`);
  return { branch, head: await git.head() };
}

/** Refuses to go on while any of `dirty` that `blocks` has uncommitted changes. */
export function refuseDirty(dirty: string[], blocks: (path: string) => boolean, action: string, what: string): void {
  const blocking = dirty.filter(blocks);
  if (blocking.length > 0) {
    throw runtimeError(
      `refusing to ${action}: ${what} have uncommitted changes (${blocking.slice(0, 10).join(', ')}${blocking.length > 10 ? ', …' : ''}). ` +
        'Commit or stash them first; nothing was changed.',
    );
  }
}
