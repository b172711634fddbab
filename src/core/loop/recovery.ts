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
 * worktrees, its run record still marked running, the refs of candidates it began
 * to make and never recorded, and its evaluations' temp folders. Nothing else is
 * deleted: not a ref whose record is damaged, not another checkout's or another
 * process's. Call it holding the run lock, with the pid of the loop that died
 * holding it, if any. Returns what it did, for the user, or undefined if nothing.
 */
export async function recover(git: Git, store: Store, worktrees: Worktrees, deadHolder?: number): Promise<string | undefined> {
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
  // The loops of this checkout that died: the lock's holder, and any whose run was still marked running.
  const dead = [...new Set([...(deadHolder !== undefined ? [deadHolder] : []), ...crashed.map((r) => r.pid)])].filter((pid) => pid !== process.pid && !isAlive(pid));
  const scratch = removeScratchOf(dead);
  if (removed + crashed.length + orphans + scratch === 0) return undefined;
  return (
    `cleaned up after an earlier run that did not finish: ${removed} worktree(s), ${crashed.length} run(s), ${orphans} unrecorded candidate ref(s)` +
    (scratch > 0 ? `, ${scratch} evaluation temp folder(s)` : '') +
    (dead.length > 0 ? `; its loop${dead.length > 1 ? 's' : ''} (pid ${dead.join(', ')}) died` : '')
  );
}

/**
 * The temp folders of evaluations of these dead loops (a kill -9 skips their
 * removal). Only theirs: the temp folder is the machine's, and a folder of any other
 * process, dead or alive, is another checkout's or another run's, to be cleaned by
 * its own.
 */
function removeScratchOf(pids: number[]): number {
  const owner = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`);
  const ours = new Set(pids);
  let removed = 0;
  for (const name of readdirSync(os.tmpdir())) {
    const pid = owner.exec(name)?.[1];
    if (pid === undefined || !ours.has(Number(pid))) continue;
    rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
