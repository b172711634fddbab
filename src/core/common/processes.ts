import { readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/** Whether a process with this id runs (one of another user counts). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether some process of this machine has `file` open, read from each process's
 * open files in /proc (Linux). Where /proc cannot tell, it says yes: the caller must
 * then leave the file alone.
 */
export function isOpenByAnyProcess(file: string): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return true;
  }
  const target = path.resolve(file);
  return pids.some((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
        } catch {
          return false;
        }
      });
    } catch {
      return false; // ended, or another user's
    }
  });
}
