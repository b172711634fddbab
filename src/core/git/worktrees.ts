import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statfsSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pause } from '../common/pause';
import type { Git } from './git';

/**
 * Throw-away checkouts for evaluation, outside the workspace (so the developer's
 * tools and file watchers never see them), in a folder per checkout (linked
 * worktrees of one repository each have their own) so a run can find and remove
 * what a crashed run of the same checkout left, and nothing of another's. A run reuses its checkouts: moving
 * one to the next candidate rewrites only the files that differ, which costs a
 * fraction of checking out the whole tree again.
 */
export class Worktrees {
  /** Each checkout of this run, with what its `.git` file said when made: anything else means tampering. */
  private readonly checkouts = new Map<string, string>();
  private readonly idle: string[] = [];

  private constructor(
    private readonly git: Git,
    readonly root: string,
  ) {}

  /** The checkouts of `git`'s repository under `base` (by default a temp folder on disk). */
  static async for(git: Git, base = worktreesBase()): Promise<Worktrees> {
    const id = createHash('sha256').update(await git.gitDir()).digest('hex').slice(0, 12);
    return new Worktrees(git, path.join(base, 'aiai-worktrees', id));
  }

  /**
   * A clean checkout of `commit` (no untracked or ignored file left by an earlier
   * evaluation), with `shared` folders linked from the workspace. Give it back with
   * `release`.
   */
  async lease(commit: string, shared: string[]): Promise<string> {
    for (let dir = this.idle.pop(); dir; dir = this.idle.pop()) {
      if (await this.reset(dir, commit)) return this.linked(dir, shared);
      await this.discard(dir);
    }
    mkdirSync(this.root, { recursive: true });
    const dir = path.join(this.root, randomBytes(4).toString('hex'));
    await worktreeCommand(this.git, ['add', '--detach', '--quiet', dir, commit]);
    this.checkouts.set(dir, readFileSync(path.join(dir, '.git'), 'utf8'));
    return this.linked(dir, shared);
  }

  release(dir: string): void {
    if (this.checkouts.has(dir)) this.idle.push(dir);
  }

  /** Removes every checkout of this run, and the folder when it is left empty. */
  async drain(): Promise<void> {
    for (const dir of [...this.checkouts.keys()]) await this.discard(dir);
    this.idle.length = 0;
    try {
      rmdirSync(this.root);
    } catch {
      // another run's folder in use, or already gone
    }
  }

  /** Removes every worktree of ours that git still lists, and any folder left behind. Returns how many. */
  async removeStray(): Promise<number> {
    const listed = await worktreeCommand(this.git, ['list', '--porcelain']);
    const ours = listed
      .split('\n')
      .filter((l) => l.startsWith('worktree '))
      .map((l) => l.slice('worktree '.length))
      .filter((p) => p.startsWith(this.root + path.sep));
    for (const dir of ours) await this.remove(dir);
    rmSync(this.root, { recursive: true, force: true });
    await worktreeCommand(this.git, ['prune']);
    return ours.length;
  }

  /** Moves a checkout to `commit`, unless an evaluation tampered with its link to the repository. */
  private async reset(dir: string, commit: string): Promise<boolean> {
    try {
      if (readFileSync(path.join(dir, '.git'), 'utf8') !== this.checkouts.get(dir)) return false;
      await this.git.raw(['checkout', '--force', '--quiet', '--detach', commit], { cwd: dir });
      await this.git.raw(['clean', '-ffdxq'], { cwd: dir });
      return true;
    } catch {
      return false;
    }
  }

  private linked(dir: string, shared: string[]): string {
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

  private async discard(dir: string): Promise<void> {
    this.checkouts.delete(dir);
    await this.remove(dir);
  }

  private async remove(dir: string): Promise<void> {
    try {
      await worktreeCommand(this.git, ['remove', '--force', '--force', dir]);
    } catch {
      // Already gone or half-made: delete the folder and let prune drop the record.
      rmSync(dir, { recursive: true, force: true });
      await worktreeCommand(this.git, ['prune']);
    }
  }
}

/** Tries of a `git worktree` command that met another checkout's worktree half made. */
const WORKTREE_ATTEMPTS = 6;

/**
 * A `git worktree` command, tried again when it met another checkout's worktree in
 * the making: linked checkouts of one repository share `.git/worktrees`, and git
 * reads an entry another process has begun but not finished writing as broken.
 */
async function worktreeCommand(git: Git, args: string[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await git.raw(['worktree', ...args]);
    } catch (error) {
      if (attempt >= WORKTREE_ATTEMPTS || !/failed to read .*worktrees|is not a valid|gitdir/i.test((error as Error).message)) throw error;
      await pause(25 * attempt);
    }
  }
}

/** File systems whose files are held in memory: tmpfs and ramfs. */
const MEMORY_FILE_SYSTEMS = new Set([0x01021994, 0x858458f6]);

/**
 * Where worktrees go: on disk, in the system temp folder, or in /var/tmp where that
 * is in memory. An evaluation writes into its worktree, and without root nothing can
 * cap what one folder of a tmpfs holds: in memory, what it wrote would be taken from
 * the machine's memory, past sandbox.memoryMb.
 */
export function worktreesBase(): string {
  const tmp = os.tmpdir();
  try {
    return MEMORY_FILE_SYSTEMS.has(statfsSync(tmp).type) ? '/var/tmp' : tmp;
  } catch {
    return tmp;
  }
}
