import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { runtimeError } from '../common/errors';
import { pause } from '../common/pause';
import { isAlive } from '../common/processes';

export const DEPLOY_LOCK = 'deploy.lock';

/** How long a deploy waits for another one to end: longer than any approval takes, short enough that a stuck one is reported. */
const WAIT_MS = 60_000;
const POLL_MS = 20;

/**
 * Runs `fn` as the workspace's only deploy: approve, reject, rollback and checkout
 * each hold `.aiai/deploy.lock` (created exclusively, holding the pid and what it
 * does) from before they read a record until after they wrote the last one, so two
 * front ends never interleave. One that finds the lock held waits for it; a lock
 * whose process died is taken over.
 */
export async function withDeployLock<T>(workspace: string, what: string, fn: () => Promise<T>): Promise<T> {
  const file = path.join(workspace, CONFIG_DIR, DEPLOY_LOCK);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const holder = tryTake(file, what);
    if (holder === undefined) break;
    if (!isAlive(holder.pid)) takeOver(file, holder.pid);
    else if (Date.now() > deadline) {
      throw runtimeError(`another aiai ${holder.what} (pid ${holder.pid}) has held ${file} for over ${WAIT_MS / 1000}s; nothing was done. If no aiai is running, delete that file`);
    } else await pause(POLL_MS);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** Takes the lock, or says who holds it. */
function tryTake(file: string, what: string): { pid: number; what: string } | undefined {
  try {
    writeFileSync(file, `${process.pid} ${what}\n`, { flag: 'wx' });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // released between the two calls: try again
  }
  const [pid = '', ...rest] = text.trim().split(' ');
  // A lock being written has no pid yet: its writer is alive.
  return { pid: pid === '' ? process.pid : Number(pid), what: rest.join(' ') || 'deploy' };
}

/**
 * Removes the lock a dead process left. It is moved aside first, an atomic step,
 * and put back should it turn out to be a live one that another process took
 * in between.
 */
function takeOver(file: string, dead: number): void {
  const aside = `${file}.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // another process got there first
  }
  const [pid = ''] = readFileSync(aside, 'utf8').trim().split(' ');
  if (Number(pid) !== dead) {
    try {
      linkSync(aside, file);
    } catch {
      // yet another lock was taken meanwhile; it stands
    }
  }
  rmSync(aside, { force: true });
}
