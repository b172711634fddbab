import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { AiaiError, errorMessage, runtimeError, usageError } from '../common/errors';
import { readTextIfExists } from '../common/files';
import { ambientEnv, HOOKS_OFF } from './ambient';
import { bytesOfText, textOfBytes } from './bytes';

/** The identity of commits aiai makes for candidates (never on the developer's branch). */
const AIAI_IDENTITY = {
  GIT_AUTHOR_NAME: 'aiai',
  GIT_AUTHOR_EMAIL: 'aiai@localhost',
  GIT_COMMITTER_NAME: 'aiai',
  GIT_COMMITTER_EMAIL: 'aiai@localhost',
};

/** How many file texts a Git remembers before it starts over. */
const FILE_CACHE_ENTRIES = 2000;

/** Where candidate commits live: never a branch, never checked out in the workspace. */
export const CANDIDATE_REFS = 'refs/aiai/candidates';

/** A commit as people quote it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 8);
}

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  path: string;
}

/** A blob to put in a tree; without a mode, the file's mode (or a plain file's). */
interface NewEntry {
  mode?: string;
  sha: string;
}

/** A file's new content, an existing blob, or `null` content to delete it. */
export type FileChange = { path: string; content: string | null } | { path: string; mode: string; sha: string };

export interface LogEntry {
  sha: string;
  /** Its tree: what it holds, whatever commit made it. */
  tree: string;
  parents: string[];
  date: string;
  subject: string;
  trailers: Record<string, string>;
}

interface RawOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  /** Run the repository's hooks: only for what moves the person's own branch (`fastForward`, `stage`). */
  hooks?: boolean;
}

/** Why git did not start: spawn says ENOENT both for a missing git and for a missing folder to run it in. */
function notStarted(command: string | undefined, error: NodeJS.ErrnoException, cwd: string): AiaiError {
  if (error.code !== 'ENOENT') return runtimeError(`git ${command} could not start: ${error.message}`);
  if (!existsSync(cwd)) return usageError(`${cwd} does not exist`);
  return runtimeError('git is not installed, or not on PATH: aiai needs git for all it does');
}

/**
 * The real git binary, in English (`LC_ALL=C`) so output parses the same everywhere,
 * with no GIT_* variable of the caller's and no hook unless asked (`HOOKS_OFF`); its
 * output and input are text that keeps every byte (`bytes.ts`). It is run directly,
 * not through simple-git: simple-git waits 50 ms after every command that prints
 * nothing (its completion plugin), which is most of the plumbing on the loop's
 * path, and those waits alone were more than the loop's whole overhead budget per
 * candidate (BENCHMARKS.md).
 */
export class Git {
  private readonly files = new Map<string, string | undefined>();

  private constructor(readonly root: string) {}

  static async open(workspace: string): Promise<Git> {
    let top: string;
    try {
      top = (await new Git(workspace).raw(['rev-parse', '--show-toplevel'])).trim();
    } catch (error) {
      // Only git's own answer means "no repository": a git that cannot start says why.
      if (!/not a git repository/.test(errorMessage(error))) throw error;
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

  /** Runs git; rejects with git's own message when it exits non-zero. */
  async raw(args: string[], options: RawOptions = {}): Promise<string> {
    const { code, out, err } = await this.exited(args, options);
    if (code === 0) return out;
    throw runtimeError(`git ${args[0]} failed: ${err || `exit code ${code}`}`);
  }

  /** Runs git to its end, whatever its exit status, for the commands whose status means more than success or failure. */
  private exited(args: string[], options: RawOptions = {}): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', [...(options.hooks ? [] : HOOKS_OFF), ...args], {
        cwd: options.cwd ?? this.root,
        env: { ...ambientEnv(), LC_ALL: 'C', ...options.env },
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (c: Buffer) => out.push(c));
      child.stderr!.on('data', (c: Buffer) => err.push(c));
      child.on('error', (error) => reject(notStarted(args[0], error, options.cwd ?? this.root)));
      child.on('close', (code) => resolve({ code, out: textOfBytes(Buffer.concat(out)), err: Buffer.concat(err).toString('utf8').trim() }));
      if (options.input !== undefined) child.stdin!.end(bytesOfText(options.input));
    });
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

  /**
   * A file's text at a commit, every byte kept (`bytes.ts`); undefined when it is
   * absent (or the path is not one of the repository's). What a commit id names
   * never changes, so it is remembered.
   */
  async readFile(commit: string, file: string): Promise<string | undefined> {
    if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) return undefined;
    const key = `${commit}:${file}`;
    if (this.files.has(key)) return this.files.get(key);
    let text: string | undefined;
    try {
      text = await this.raw(['cat-file', 'blob', key]);
    } catch {
      text = undefined;
    }
    if (/^[0-9a-f]{40,64}$/.test(commit)) {
      if (this.files.size > FILE_CACHE_ENTRIES) this.files.clear();
      this.files.set(key, text);
    }
    return text;
  }

  /** The entries at `paths` (everything when none); recursive lists whole subtrees, else a folder's own entries. */
  async lsTree(commit: string, paths: string[] = [], recursive = true): Promise<TreeEntry[]> {
    const out = await this.raw(['ls-tree', ...(recursive ? ['-r'] : []), '-z', '--full-tree', commit, '--', ...paths]);
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
   * The tree of `base` with `changes` applied, made from tree objects alone: only the
   * folders on the changed paths are rewritten, and no index (the developer's or a
   * temporary one) is read or written. New content is hashed as `git add` would hash
   * it at its path, through the filters and attributes there (LFS, `eol=crlf`): text
   * as a proposer read it (`readFile`) comes back unchanged, and a working tree's
   * file is stored as git stores it.
   */
  async buildTree(base: string, changes: FileChange[]): Promise<string> {
    const entries = new Map<string, NewEntry | null>();
    for (const change of changes) {
      if ('sha' in change) entries.set(change.path, { mode: change.mode, sha: change.sha });
      else if (change.content === null) entries.set(change.path, null);
      else entries.set(change.path, { sha: (await this.raw(['hash-object', '-w', '--stdin', `--path=${change.path}`], { input: change.content })).trim() });
    }
    return (await this.rewriteTree(`${base}^{tree}`, '', entries)) ?? (await this.raw(['hash-object', '-t', 'tree', '-w', '/dev/null'])).trim();
  }

  /** The tree at `treeish` (the folder `prefix`) with the changed entries below it replaced; undefined when nothing is left in it. */
  private async rewriteTree(treeish: string | undefined, prefix: string, changes: Map<string, NewEntry | null>): Promise<string | undefined> {
    const rows = new Map<string, string>();
    if (treeish) {
      for (const line of (await this.raw(['ls-tree', '-z', treeish])).split('\0').filter(Boolean)) {
        rows.set(line.slice(line.indexOf('\t') + 1), line);
      }
    }
    const folders = new Map<string, Map<string, NewEntry | null>>();
    for (const [file, entry] of changes) {
      const rest = file.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        // A file keeps its mode (executable, say) when only its content changes.
        const mode = entry?.mode ?? rows.get(rest)?.split(' ')[0] ?? '100644';
        if (entry) rows.set(rest, `${mode} blob ${entry.sha}\t${rest}`);
        else rows.delete(rest);
      } else {
        const name = rest.slice(0, slash);
        if (!folders.has(name)) folders.set(name, new Map());
        folders.get(name)!.set(file, entry);
      }
    }
    for (const [name, below] of folders) {
      const current = rows.get(name);
      const sha = await this.rewriteTree(current?.includes(' tree ') ? current.split(/\s/)[2] : undefined, `${prefix}${name}/`, below);
      if (sha) rows.set(name, `040000 tree ${sha}\t${name}`);
      else rows.delete(name);
    }
    if (rows.size === 0) return undefined;
    return (await this.raw(['mktree', '-z'], { input: [...rows.values()].map((r) => `${r}\0`).join('') })).trim();
  }

  /** A commit of `tree` as aiai, for its own refs (a candidate, a stand-in for a merge): never on the developer's branch (that is `developerBranch.ts`). */
  async commitTree(tree: string, parents: string[], message: string): Promise<string> {
    return (await this.raw(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message], { env: AIAI_IDENTITY })).trim();
  }

  /** Points `ref` at `sha`; with `expected`, only if the ref is there (a sha) or not there (`'absent'`), atomically. */
  async updateRef(ref: string, sha: string, expected?: string | 'absent'): Promise<void> {
    await this.raw(['update-ref', ref, sha, ...(expected === undefined ? [] : [expected === 'absent' ? '' : expected])]);
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

  /** Whether the repository's ignore rules keep this path out of git. */
  async isIgnored(file: string): Promise<boolean> {
    return this.raw(['check-ignore', '-q', '--', file]).then(
      () => true,
      () => false,
    );
  }

  /**
   * A three-way merge of two commits into a tree, touching no checkout; undefined on
   * conflict. Only exit status 1 with a tree is a conflict: any other failure (a full
   * disk, a read-only repository) is an error saying what git met, never read as one.
   */
  async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    const { code, out, err } = await this.exited(['merge-tree', '--write-tree', '--no-messages', ours, theirs]);
    const tree = out.split('\n')[0]!.trim();
    if (code === 0) return tree;
    if (code === 1 && /^[0-9a-f]{40,64}$/.test(tree)) return undefined;
    throw runtimeError(`git could not merge ${shortSha(theirs)} onto ${shortSha(ours)}: ${err || `git merge-tree exited with ${code}`}`);
  }

  /** The first-parent history of `ref`, newest first, with each commit's trailers. */
  async firstParentLog(ref: string): Promise<LogEntry[]> {
    const out = await this.raw(['log', '--first-parent', '--format=%H%x1f%T%x1f%P%x1f%cI%x1f%s%x1f%(trailers:only,unfold)%x1e', ref]);
    return out
      .split('\x1e')
      .map((r) => r.trim())
      .filter(Boolean)
      .map((record) => {
        const [sha, tree, parents, date, subject, trailerText] = record.split('\x1f') as [string, string, string, string, string, string?];
        const trailers: Record<string, string> = {};
        for (const line of (trailerText ?? '').split('\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) trailers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
        }
        return { sha, tree, parents: parents.split(' ').filter(Boolean), date, subject, trailers };
      });
  }

  /**
   * Adds `patterns` to the repository's own exclude file (`info/exclude`), which no
   * commit carries, so what aiai writes stays out of `git status` even where
   * `.aiai/.gitignore` was never written.
   */
  async excludeLocally(patterns: string[]): Promise<void> {
    const file = path.resolve(this.root, (await this.raw(['rev-parse', '--git-path', 'info/exclude'])).trim());
    const text = readTextIfExists(file) ?? '';
    const present = new Set(text.split('\n').map((l) => l.trim()));
    const missing = patterns.filter((p) => !present.has(p));
    if (missing.length === 0) return;
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${text && !text.endsWith('\n') ? '\n' : ''}# written by aiai: its records, lock, journal and lessons\n${missing.join('\n')}\n`);
  }

  /** This checkout's own git folder: `.git`, or `.git/worktrees/<name>` for a linked worktree. */
  async gitDir(): Promise<string> {
    return (await this.raw(['rev-parse', '--absolute-git-dir'])).trim();
  }
}
