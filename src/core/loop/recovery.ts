import { readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCRATCH_PREFIX } from '../grade/localExecutor';
import { CANDIDATE_REFS, type Git } from '../git/git';
import { isAlive } from '../common/processes';
import type { Store } from '../record/store';
import type { Worktrees } from '../git/worktrees';

/**
 * Cleans up after a loop of this checkout that died (crash, kill -9): its
 * worktrees, its run record still marked running, and the refs of candidates it
 * began to make and never recorded. Nothing else is deleted: not a ref whose record
 * is damaged, not another checkout's. Call it holding the run lock. Returns what it
 * did, for the user, or undefined if nothing.
 */
export async function recover(git: Git, store: Store, worktrees: Worktrees): Promise<string | undefined> {
  const removed = await worktrees.removeStray();
  const crashed = store.runs().filter((r) => r.state === 'running');
  for (const run of crashed) store.saveRun({ ...run, state: 'crashed', stopReason: 'the loop died before it finished' });
  let orphans = 0;
  // A record file, readable or damaged, keeps its ref; only one never written lets it go.
  for (const { runId, id } of store.unfinished()) {
    if (!store.hasRecord(runId, id) && (await git.tryRevParse(`${CANDIDATE_REFS}/${id}`))) {
      await git.deleteRef(`${CANDIDATE_REFS}/${id}`);
      orphans++;
    }
    store.doneMaking(runId, id);
  }
  const scratch = removeDeadScratch();
  if (removed + crashed.length + orphans + scratch === 0) return undefined;
  return (
    `cleaned up after an earlier run that did not finish: ${removed} worktree(s), ${crashed.length} run(s), ${orphans} unrecorded candidate ref(s)` +
    (scratch > 0 ? `, ${scratch} evaluation temp folder(s)` : '')
  );
}

/** The temp folders of evaluations whose aiai process is gone (a kill -9 skips their removal). */
function removeDeadScratch(): number {
  const owner = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`);
  let removed = 0;
  for (const name of readdirSync(os.tmpdir())) {
    const pid = owner.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
