import { statfsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { errorMessage } from '../core/common/errors';
import { worktreesBase } from '../core/git/worktrees';

/** Whether an error is a full disk's (or a used-up quota's), as Node codes it or as git says it. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || /no space left on device|disk quota exceeded/i.test(errorMessage(error));
}

/**
 * What a full disk ends a command with: the folders aiai writes to (the workspace,
 * the temp folder, the worktrees' folder), each disk once, with the room each has
 * left, since the error itself rarely names a path ("ENOSPC: …, write").
 */
export function diskFullMessage(workspace: string, error: unknown): string {
  const seen = new Set<number>();
  const room: string[] = [];
  for (const folder of [workspace, os.tmpdir(), worktreesBase()]) {
    try {
      const { dev } = statSync(folder);
      if (seen.has(dev)) continue;
      seen.add(dev);
      const { bavail, bsize } = statfsSync(folder);
      room.push(`${folder} has ${sizeText(bavail * bsize)} free`);
    } catch {
      // A folder that is gone holds nothing.
    }
  }
  return `no space left on device: ${room.join(', ')}; free some space and try again (${errorMessage(error)})`;
}

function sizeText(bytes: number): string {
  if (bytes < 2 ** 20) return `${Math.floor(bytes / 2 ** 10)} KB`;
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MB`;
  return `${(bytes / 2 ** 30).toFixed(1)} GB`;
}
