import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { runtimeError } from '../common/errors';

/** One loop per workspace: a lock file holding the pid of the loop that runs. */
export function acquireRunLock(workspace: string): () => void {
  const file = path.join(workspace, CONFIG_DIR, 'run.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (isAlive(holder)) {
        throw runtimeError(`another aiai loop (pid ${holder}) is running on this workspace; stop it first or wait for it to finish`);
      }
      rmSync(file, { force: true }); // left by a loop that died
    }
  }
  throw runtimeError(`could not take the run lock ${file}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
