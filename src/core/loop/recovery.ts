import { CANDIDATE_REFS, type Git } from '../git/git';
import type { Store } from '../record/store';
import type { Worktrees } from '../git/worktrees';

/**
 * Cleans up after a loop that died (crash, kill -9): its worktrees, its run record
 * still marked running, and refs of candidates it never recorded. Call it holding
 * the run lock. Returns what it did, for the user, or undefined if nothing.
 */
export async function recover(git: Git, store: Store, worktrees: Worktrees): Promise<string | undefined> {
  const removed = await worktrees.removeStray();
  const crashed = store.runs().filter((r) => r.state === 'running');
  for (const run of crashed) store.saveRun({ ...run, state: 'crashed', stopReason: 'the loop died before it finished' });
  const recorded = new Set(store.candidates().map((c) => c.id));
  const orphans = (await git.refs(CANDIDATE_REFS)).filter((r) => !recorded.has(r.ref.slice(CANDIDATE_REFS.length + 1)));
  for (const orphan of orphans) await git.deleteRef(orphan.ref);
  if (removed + crashed.length + orphans.length === 0) return undefined;
  return `cleaned up after an earlier run that did not finish: ${removed} worktree(s), ${crashed.length} run(s), ${orphans.length} unrecorded candidate ref(s)`;
}
