import { randomBytes } from 'node:crypto';
import { realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { runtimeError, usageError } from './errors';

/** The identity of commits aiai makes for candidates (never on the developer's branch). */
const AIAI_IDENTITY = {
  GIT_AUTHOR_NAME: 'aiai',
  GIT_AUTHOR_EMAIL: 'aiai@localhost',
  GIT_COMMITTER_NAME: 'aiai',
  GIT_COMMITTER_EMAIL: 'aiai@localhost',
};

/** Where candidate commits live: never a branch, never checked out in the workspace. */
export const CANDIDATE_REFS = 'refs/aiai/candidates';

const ALLOWED_GIT_ENV = ['GIT_INDEX_FILE', ...Object.keys(AIAI_IDENTITY)];

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  path: string;
}

/** A file's new content, an existing blob, or `null` content to delete it. */
export type FileChange = { path: string; content: string | null } | { path: string; mode: string; sha: string };

export interface LogEntry {
  sha: string;
  parents: string[];
  date: string;
  subject: string;
  trailers: Record<string, string>;
}

/**
 * The process environment without what could point git elsewhere or start a
 * program (GIT_DIR from a hook, an editor or pager npm sets); simple-git refuses
 * to run with them.
 */
function ambientEnv(): Record<string, string> {
  const unsafe = /^(git_.*|editor|visual|pager|prefix|ssh_askpass)$/i;
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !unsafe.test(e[0])));
}

interface RawOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
}

/**
 * git through simple-git over the real binary, in English (`LC_ALL=C`) so output
 * parses the same everywhere, with the user's diff and colour settings neutralised.
 */
export class Git {
  private constructor(readonly root: string) {}

  static async open(workspace: string): Promise<Git> {
    const probe = simpleGit({ baseDir: workspace });
    let top: string;
    try {
      top = (await probe.raw(['rev-parse', '--show-toplevel'])).trim();
    } catch {
      throw usageError(`${workspace} is not inside a git repository; run \`git init\` and commit your agent first`);
    }
    if (realpathSync(top) !== realpathSync(workspace)) {
      throw usageError(`aiai works at the root of a git repository: open ${top} instead of ${workspace}`);
    }
    const git = new Git(realpathSync(top));
    if (!(await git.tryRevParse('HEAD'))) {
      throw usageError(`the repository at ${top} has no commits yet; commit your agent first`);
    }
    return git;
  }

  async raw(args: string[], options: RawOptions = {}): Promise<string> {
    const client: SimpleGit = simpleGit({
      baseDir: options.cwd ?? this.root,
      allowEnvironment: ALLOWED_GIT_ENV,
      // simple-git treats a non-zero exit with an empty stderr as success; git
      // answers "no" that way (merge-base --is-ancestor, merge-tree on conflict).
      errors: (error, result) => error ?? (result.exitCode !== 0 ? Buffer.concat([Buffer.from(`exit code ${result.exitCode} `), ...result.stdErr]) : undefined),
      ...(options.input !== undefined ? { input: () => options.input } : {}),
    }).env({ ...ambientEnv(), LC_ALL: 'C', ...options.env });
    try {
      return await client.raw(args);
    } catch (error) {
      throw runtimeError(`git ${args[0]} failed: ${(error as Error).message.trim()}`);
    }
  }

  async tryRevParse(ref: string): Promise<string | undefined> {
    try {
      return (await this.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  async head(): Promise<string> {
    return (await this.raw(['rev-parse', 'HEAD'])).trim();
  }

  /** The checked-out branch's full ref name, or undefined on a detached HEAD. */
  async currentBranch(): Promise<string | undefined> {
    try {
      return (await this.raw(['symbolic-ref', '--quiet', 'HEAD'])).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  async treeOf(commit: string): Promise<string> {
    return (await this.raw(['rev-parse', `${commit}^{tree}`])).trim();
  }

  /** A file's text at a commit; undefined when it is absent (or the path is not one of the repository's). */
  async readFile(commit: string, file: string): Promise<string | undefined> {
    if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) return undefined;
    const entry = (await this.lsTree(commit, [file])).find((e) => e.path === file);
    if (!entry || entry.type !== 'blob') return undefined;
    return this.raw(['cat-file', 'blob', entry.sha]);
  }

  async lsTree(commit: string, paths: string[] = []): Promise<TreeEntry[]> {
    const out = await this.raw(['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...paths]);
    return out
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode, type, sha] = line.slice(0, tab).split(' ') as [string, string, string];
        return { mode, type, sha, path: line.slice(tab + 1) };
      });
  }

  /**
   * The tree of `base` with `changes` applied, built in a private index so the
   * developer's index and working tree are never read or written.
   */
  async buildTree(base: string, changes: FileChange[]): Promise<string> {
    const index = path.join(os.tmpdir(), `aiai-index-${randomBytes(6).toString('hex')}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      await this.raw(['read-tree', base], { env });
      const existing = new Map((await this.lsTree(base, changes.map((c) => c.path))).map((e) => [e.path, e]));
      const args: string[] = [];
      for (const change of changes) {
        if ('sha' in change) {
          args.push('--add', '--cacheinfo', `${change.mode},${change.sha},${change.path}`);
        } else if (change.content === null) {
          args.push('--force-remove', change.path);
        } else {
          const sha = (await this.raw(['hash-object', '-w', '--stdin'], { input: change.content })).trim();
          const mode = existing.get(change.path)?.mode ?? '100644';
          args.push('--add', '--cacheinfo', `${mode},${sha},${change.path}`);
        }
      }
      if (args.length > 0) await this.raw(['update-index', ...args], { env });
      return (await this.raw(['write-tree'], { env })).trim();
    } finally {
      rmSync(index, { force: true });
      rmSync(`${index}.lock`, { force: true });
    }
  }

  /** A commit object; aiai's own identity unless `asUser`, which uses the developer's git identity. */
  async commitTree(tree: string, parents: string[], message: string, asUser = false): Promise<string> {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message];
    try {
      return (await this.raw(args, { env: asUser ? {} : AIAI_IDENTITY })).trim();
    } catch (error) {
      const text = (error as Error).message;
      if (/Please tell me who you are|empty ident|unable to auto-detect email/i.test(text)) {
        throw runtimeError('git does not know who you are: set `git config user.name` and `git config user.email`, then try again');
      }
      throw error;
    }
  }

  async updateRef(ref: string, sha: string, oldSha?: string): Promise<void> {
    await this.raw(['update-ref', ref, sha, ...(oldSha ? [oldSha] : [])]);
  }

  async deleteRef(ref: string): Promise<void> {
    await this.raw(['update-ref', '-d', ref]);
  }

  async refs(prefix: string): Promise<Array<{ ref: string; sha: string }>> {
    const out = await this.raw(['for-each-ref', '--format=%(objectname) %(refname)', prefix]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [sha, ref] = line.split(' ') as [string, string];
        return { ref, sha };
      });
  }

  /** A diff diff2html and `git apply` both read, whatever the user's diff settings. */
  async diff(from: string, to: string, paths: string[] = []): Promise<string> {
    return this.raw(['diff', '--no-color', '--no-ext-diff', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', from, to, '--', ...paths]);
  }

  async changedPaths(from: string, to: string): Promise<string[]> {
    const out = await this.raw(['diff', '--name-only', '-z', '--no-renames', from, to]);
    return out.split('\0').filter(Boolean);
  }

  /** Paths with staged, unstaged or untracked changes in the developer's checkout. */
  async dirtyPaths(): Promise<string[]> {
    const out = await this.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
    const paths: string[] = [];
    const fields = out.split('\0');
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (field.length < 4) continue;
      paths.push(field.slice(3));
      if (field[0] === 'R' || field[0] === 'C') i++; // the rename's source follows
    }
    return paths;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.raw(['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch {
      return false;
    }
  }

  /** A three-way merge of two commits into a tree, touching no checkout; undefined on conflict. */
  async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    try {
      const out = await this.raw(['merge-tree', '--write-tree', '--no-messages', ours, theirs]);
      return out.split('\n')[0]!.trim();
    } catch {
      return undefined;
    }
  }

  /** The first-parent history of `ref`, newest first, with each commit's trailers. */
  async firstParentLog(ref: string): Promise<LogEntry[]> {
    const out = await this.raw(['log', '--first-parent', '--format=%H%x1f%P%x1f%cI%x1f%s%x1f%(trailers:only,unfold)%x1e', ref]);
    return out
      .split('\x1e')
      .map((r) => r.trim())
      .filter(Boolean)
      .map((record) => {
        const [sha, parents, date, subject, trailerText] = record.split('\x1f') as [string, string, string, string, string?];
        const trailers: Record<string, string> = {};
        for (const line of (trailerText ?? '').split('\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) trailers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
        }
        return { sha, parents: parents.split(' ').filter(Boolean), date, subject, trailers };
      });
  }

  /** Moves the checked-out branch forward to `commit`, updating index and files as git does, refusing to overwrite local changes. */
  async fastForward(commit: string): Promise<void> {
    await this.raw(['merge', '--ff-only', '--quiet', commit]);
  }

  async worktreeAdd(dir: string, commit: string): Promise<void> {
    await this.raw(['worktree', 'add', '--detach', '--quiet', dir, commit]);
  }

  async worktreeRemove(dir: string): Promise<void> {
    try {
      await this.raw(['worktree', 'remove', '--force', '--force', dir]);
    } catch {
      // Already gone or half-made: delete the folder and let prune drop the record.
      rmSync(dir, { recursive: true, force: true });
      await this.raw(['worktree', 'prune']);
    }
  }

  async worktreePaths(): Promise<string[]> {
    const out = await this.raw(['worktree', 'list', '--porcelain']);
    return out
      .split('\n')
      .filter((l) => l.startsWith('worktree '))
      .map((l) => l.slice('worktree '.length));
  }

  async commonDir(): Promise<string> {
    return path.resolve(this.root, (await this.raw(['rev-parse', '--git-common-dir'])).trim());
  }
}
