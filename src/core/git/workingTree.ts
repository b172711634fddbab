import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Git } from './git';

/** Paths hashed by one `git hash-object`, well within any command line's limit. */
const HASHED_AT_ONCE = 200;

/**
 * The developer's working tree, read and never written: what differs from a commit,
 * and a file's bytes. Only plumbing runs here (`diff-index`, `ls-files`,
 * `hash-object`): `git status` may rewrite the index to refresh it, and the index is
 * the developer's.
 */
export class WorkingTree {
  constructor(private readonly git: Git) {}

  /**
   * Paths that may differ from `commit`: tracked files git sees as changed, staged or
   * not, and untracked files that are not ignored. It may name a file whose content
   * is unchanged (only touched); `differing` tells.
   */
  async touched(commit: string): Promise<string[]> {
    const [tracked, untracked] = await Promise.all([
      this.git.raw(['diff-index', '--name-only', '-z', '--no-renames', commit, '--']),
      this.git.raw(['ls-files', '-z', '--others', '--exclude-standard']),
    ]);
    return [...new Set([...tracked.split('\0'), ...untracked.split('\0')].filter(Boolean))].sort();
  }

  /** Those of `paths` whose content in the working tree differs from `commit`'s; a file absent on one side only differs. */
  async differing(commit: string, paths: string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const committed = new Map((await this.git.lsTree(commit, paths)).filter((e) => e.type === 'blob').map((e) => [e.path, e.sha]));
    const onDisk = new Map<string, string>();
    const files = paths.filter((p) => this.kind(p) === 'file');
    for (let i = 0; i < files.length; i += HASHED_AT_ONCE) {
      const chunk = files.slice(i, i + HASHED_AT_ONCE);
      // One id per line, in order; the path also picks the file's filters (line endings), as `git add` would.
      const ids = (await this.git.raw(['hash-object', '--', ...chunk])).split('\n');
      chunk.forEach((p, j) => onDisk.set(p, ids[j] ?? ''));
    }
    // A link's blob is the path it points at.
    for (const link of paths.filter((p) => this.kind(p) === 'link')) {
      onDisk.set(link, (await this.git.raw(['hash-object', '--stdin'], { input: readlinkSync(path.join(this.git.root, link)) })).trim());
    }
    return paths.filter((p) => committed.get(p) !== onDisk.get(p));
  }

  /** A file's bytes; undefined when nothing is there or it is not a plain file (a folder, a link). */
  read(file: string): Buffer | undefined {
    return this.kind(file) === 'file' ? readFileSync(path.join(this.git.root, file)) : undefined;
  }

  /** What is at a path: links are not followed, so a link never stands for the file it points at. */
  kind(file: string): 'file' | 'link' | 'other' | 'absent' {
    try {
      const stat = lstatSync(path.join(this.git.root, file));
      return stat.isFile() ? 'file' : stat.isSymbolicLink() ? 'link' : 'other';
    } catch {
      return 'absent';
    }
  }
}
