import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Git } from './git';

/**
 * Throw-away checkouts for evaluation, outside the workspace (so the developer's
 * tools and file watchers never see them), in a folder per repository so a run
 * can find and remove what a crashed run left.
 */
export class Worktrees {
  private constructor(
    private readonly git: Git,
    readonly root: string,
  ) {}

  static async for(git: Git): Promise<Worktrees> {
    const id = createHash('sha256').update(await git.commonDir()).digest('hex').slice(0, 12);
    return new Worktrees(git, path.join(os.tmpdir(), 'aiai-worktrees', id));
  }

  /** Checks out `commit` detached in a new folder, with `shared` folders linked from the workspace. */
  async create(commit: string, label: string, shared: string[]): Promise<string> {
    mkdirSync(this.root, { recursive: true });
    const dir = path.join(this.root, `${label}-${randomBytes(3).toString('hex')}`);
    await this.git.worktreeAdd(dir, commit);
    for (const entry of shared) {
      const source = path.join(this.git.root, entry);
      const target = path.join(dir, entry);
      if (existsSync(source) && !existsSync(target)) {
        mkdirSync(path.dirname(target), { recursive: true });
        symlinkSync(source, target);
      }
    }
    return dir;
  }

  async remove(dir: string): Promise<void> {
    await this.git.worktreeRemove(dir);
  }

  /** Removes every worktree of ours that git still lists, and any folder left behind. Returns how many. */
  async removeStray(): Promise<number> {
    const ours = (await this.git.worktreePaths()).filter((p) => p.startsWith(this.root + path.sep));
    for (const dir of ours) await this.git.worktreeRemove(dir);
    rmSync(this.root, { recursive: true, force: true });
    await this.git.raw(['worktree', 'prune']);
    return ours.length;
  }
}
