import { existsSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { errorMessage, runtimeError } from '../common/errors';
import { isAlive, isOpenByAnyProcess } from '../common/processes';
import { shortSha, type Git } from '../git/git';
import { audit } from '../record/audit';
import type { CandidateRecord } from '../record/records';
import type { Store } from '../record/store';
import { clearJournal, readJournal, writeJournal, type DeployJournal } from './journal';
import { supersede } from './supersede';
import { fastForward } from '../git/developerBranch';

/**
 * Moves the branch to a prepared commit, journaled: a crash at any point leaves the
 * branch where it was or where this put it, and the next deploy completes the rest.
 * Returns the candidates an approval superseded.
 */
export async function land(git: Git, store: Store, journal: DeployJournal): Promise<CandidateRecord[]> {
  writeJournal(git.root, journal);
  try {
    await fastForward(git, journal.to);
  } catch (error) {
    // Carried out, or not at all: a failed move is never completed later by another deploy.
    if ((await git.tryRevParse(journal.branch)) === journal.to) return settle(git, store, journal);
    clearJournal(git.root);
    throw runtimeError(`git could not move ${journal.branch.replace(/^refs\/heads\//, '')} to the ${journal.op}'s commit, so nothing was applied: ${errorMessage(error)}`);
  }
  return settle(git, store, journal);
}

/**
 * The records of a landed deploy: the candidate approved, the audit line, the
 * candidates the approval superseded, the journal gone. Settling again after a
 * crash redoes only what is left.
 */
async function settle(git: Git, store: Store, journal: DeployJournal): Promise<CandidateRecord[]> {
  let superseded: CandidateRecord[] = [];
  if (journal.op === 'approve' && journal.candidate) {
    let candidate = store.candidate(journal.candidate);
    // Audited with the status it changes, so settling again after a crash (superseding takes a while) writes no second line.
    if (candidate.status !== 'approved') {
      audit(git.root, { event: 'approval', by: journal.by, candidate: journal.candidate, ...(journal.contentHash ? { contentHash: journal.contentHash } : {}), commit: journal.to });
      candidate = { ...candidate, status: 'approved', decision: { at: new Date().toISOString(), by: journal.by, commit: journal.to } };
      store.saveCandidate(candidate);
    }
    superseded = await supersede(git, store, { candidate, from: journal.from, to: journal.to, by: journal.by });
  } else {
    audit(git.root, { event: 'rollback', by: journal.by, commit: journal.to, ...(journal.detail ? { detail: journal.detail } : {}) });
  }
  clearJournal(git.root);
  return superseded;
}

/**
 * Finishes an approval or rollback that a crash or a signal interrupted: it settles
 * the records when the commit landed (even if the developer has committed on top
 * since), lands it when the branch has not moved, and drops it when the branch went
 * elsewhere. Returns what it did, for the user.
 */
export async function completeInterrupted(git: Git, store: Store): Promise<string | undefined> {
  const { journal, damaged } = readJournal(git.root);
  if (damaged) return `set aside a deploy journal that could not be read (${damaged}); nothing was done with it`;
  if (!journal) return undefined;
  if (journal.pid !== undefined && journal.pid !== process.pid && isAlive(journal.pid)) {
    return `left the ${journal.op} that process ${journal.pid} is carrying out to it`;
  }
  const head = await git.tryRevParse(journal.branch);
  if (head === journal.to || (head !== undefined && (await git.isAncestor(journal.to, head)))) {
    await settle(git, store, journal);
    return `finished recording an interrupted ${journal.op} (${shortSha(journal.to)})`;
  }
  if (head === journal.from && (await git.currentBranch()) === journal.branch) {
    removeStaleIndexLock(git, journal);
    try {
      await fastForward(git, journal.to);
    } catch (error) {
      return `could not yet complete an interrupted ${journal.op} (${shortSha(journal.to)}): ${errorMessage(error)}; the next deploy tries again`;
    }
    await settle(git, store, journal);
    return `completed an interrupted ${journal.op} (${shortSha(journal.to)})`;
  }
  clearJournal(git.root);
  return `dropped an interrupted ${journal.op}: the branch has moved on since`;
}

/** git's index lock, when the interrupted merge left it: younger than the journal, and open in no process (a live git holds its lock open). */
function removeStaleIndexLock(git: Git, journal: DeployJournal): void {
  const lock = path.join(git.root, '.git', 'index.lock');
  if (existsSync(lock) && statSync(lock).mtimeMs >= Date.parse(journal.startedAt) - 1000 && !isOpenByAnyProcess(lock)) rmSync(lock, { force: true });
}
