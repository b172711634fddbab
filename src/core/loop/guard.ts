import { lstatSync } from 'node:fs';
import * as path from 'node:path';
import { applyEdits, type Edit } from '../propose/edits';
import { changeOutsideBlocks, hasEvolveMarkers } from '../config/evolveBlocks';
import type { PathPolicy } from '../config/pathPolicy';
import type { Git } from '../git/git';
import { capText } from '../common/text';

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

/** A proposal larger than this is refused before anything is built: no agent change needs it. */
export const MAX_EDITED_FILES = 200;
export const MAX_PROPOSAL_BYTES = 5 * 1024 * 1024;
/** The longest name of one file or folder that Linux's and macOS's file systems take (NAME_MAX). */
export const MAX_NAME_BYTES = 255;
/** The longest path the system takes (PATH_MAX, less its closing NUL); git checks out nothing longer. */
export const MAX_PATH_BYTES = 4095;
/** A path is quoted in a refusal up to this many characters, so the reason stays readable. */
const SHOWN_PATH_CHARACTERS = 120;

/** Git's modes of a tree entry that is not a plain file. */
const MODE = { folder: '040000', symlink: '120000', submodule: '160000' };

/**
 * Refuses, before anything is written or run, edits to paths a proposal may not
 * touch, and edits outside the evolve blocks of a file that has them. `modes` gives
 * git's mode of each entry of the parent commit on the edited paths; `read` gives a
 * file of the parent commit.
 */
export async function guardEdits(
  edits: Edit[],
  policy: PathPolicy,
  workspace: string,
  modes: ReadonlyMap<string, string>,
  read: (file: string) => Promise<string | undefined>,
): Promise<GuardVerdict> {
  if (edits.length === 0) return { ok: false, reason: 'the proposal has no edits' };
  const files = new Set(edits.map((e) => e.path)).size;
  if (files > MAX_EDITED_FILES) return { ok: false, reason: `the proposal edits ${files} files; at most ${MAX_EDITED_FILES} are accepted` };
  const bytes = edits.reduce((n, e) => n + Buffer.byteLength(String(e.search)) + Buffer.byteLength(String(e.replace)), 0);
  if (bytes > MAX_PROPOSAL_BYTES) return { ok: false, reason: `the proposal's edits hold ${bytes} bytes; at most ${MAX_PROPOSAL_BYTES} are accepted` };
  const edited = new Set(edits.map((e) => e.path));
  for (const edit of edits) {
    const reason = pathProblem(edit.path, policy, workspace, modes) ?? editedAsFile(edit.path, edited);
    if (reason) return { ok: false, reason: `${capText(JSON.stringify(String(edit.path)), SHOWN_PATH_CHARACTERS)}: ${reason}` };
  }
  for (const file of new Set(edits.map((e) => e.path))) {
    const reason = await evolveBlockProblem(file, edits, read);
    if (reason) return { ok: false, reason: `"${file}", ${reason}` };
  }
  return { ok: true };
}

/**
 * The guard on edits to `commit`: what the pipeline asks of every proposal, and what
 * `aiai try` asks of a person's change before anything is evaluated. The commit's
 * entries are looked up on the edited paths only.
 */
export async function guardOnCommit(git: Git, policy: PathPolicy, commit: string, edits: Edit[]): Promise<GuardVerdict> {
  const plain = edits.map((e) => e.path).filter((p) => pathShapeProblem(p) === undefined);
  const prefixes = [...new Set(plain.flatMap((p) => p.split('/').map((_, i, all) => all.slice(0, i + 1).join('/'))))];
  const modes = new Map((await git.lsTree(commit, prefixes, false)).map((e) => [e.path, e.mode]));
  return guardEdits(edits, policy, git.root, modes, (file) => git.readFile(commit, file));
}

/**
 * Why the edits of `file` change it outside its EVOLVE-BLOCK regions, if they do.
 * Any file whose parent version has the markers is held to them, with no config
 * key to ask for it: the markers are the file's author saying which part may
 * evolve (OpenEvolve's and ShinkaEvolve's convention), they mean nothing else, and
 * a config that forgot a key would let a proposal rewrite the fixed harness around
 * the block. Edits that do not apply are left to the pipeline, which says why.
 */
async function evolveBlockProblem(file: string, edits: Edit[], read: (file: string) => Promise<string | undefined>): Promise<string | undefined> {
  const before = await read(file);
  if (before === undefined || !hasEvolveMarkers(before)) return undefined;
  const applied = await applyEdits(
    edits.filter((e) => e.path === file),
    async () => before,
  );
  const change = applied.ok ? applied.changes[0] : undefined;
  return change && 'content' in change ? changeOutsideBlocks(before, change.content ?? '') : undefined;
}

/** Why a path is not a plain relative path inside the workspace, if it is not; nothing on disk is looked at. */
export function pathShapeProblem(file: unknown): string | undefined {
  if (typeof file !== 'string' || file.trim() === '') return 'the path is empty';
  if (file.includes('\0')) return 'the path contains a NUL byte';
  // A lone half of a UTF-16 pair has no UTF-8 form: the name written would not be the name proposed.
  if (/\p{Surrogate}/u.test(file)) return 'the path is not valid Unicode (a lone surrogate), so it cannot be written as UTF-8';
  const control = /[\u0001-\u001f\u007f-\u009f]/.exec(file)?.[0];
  if (control) return `the path holds a control character (${shownCharacter(control)}), which git would keep but no one could read in a list`;
  if (path.isAbsolute(file) || path.win32.isAbsolute(file)) return 'absolute paths are refused; paths are relative to the workspace';
  if (file.includes('\\')) return 'backslashes are refused; use / between folders';
  const segments = file.split('/');
  if (segments.includes('..')) return 'the path escapes the workspace (..)';
  if (segments.some((s) => s === '' || s === '.')) return 'the path is not in normal form (empty or "." segment)';
  const longName = segments.map((s) => Buffer.byteLength(s)).find((n) => n > MAX_NAME_BYTES);
  if (longName) return `a name in the path is ${longName} bytes long; file systems take at most ${MAX_NAME_BYTES}`;
  const bytes = Buffer.byteLength(file);
  if (bytes > MAX_PATH_BYTES) return `the path is ${bytes} bytes long; at most ${MAX_PATH_BYTES} are accepted`;
  return undefined;
}

/** A control character as JSON escapes it (`\n`), or by its code where JSON leaves it raw (DEL and C1). */
function shownCharacter(c: string): string {
  const escaped = JSON.stringify(c).slice(1, -1);
  return escaped !== c ? escaped : unicodeEscape(c);
}

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Code points macOS leaves out of a name when it compares names. */
const INVISIBLE_TO_MACOS = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * Why git refuses a name other than `.git` that a system reads as `.git`, if one
 * does: git refuses such a path in every checkout (core.protectNTFS, on by default;
 * core.protectHFS on macOS). Windows drops trailing dots and spaces and an alternate
 * stream (`:…`) and knows the short name `GIT~1`; macOS ignores some invisible code points.
 */
function dotGitProblem(name: string): string | undefined {
  if (/^(\.git|git~1)[ .]*(:.*)?$/i.test(name)) return `git refuses this path: Windows reads the name "${name}" as .git`;
  if (name.replace(INVISIBLE_TO_MACOS, '').toLowerCase() === '.git') {
    const shown = name.replace(INVISIBLE_TO_MACOS, unicodeEscape);
    return `git refuses this path: macOS reads the name "${shown}" as .git, leaving out its invisible characters`;
  }
  return undefined;
}

function pathProblem(file: string, policy: PathPolicy, workspace: string, modes: ReadonlyMap<string, string>): string | undefined {
  const shape = pathShapeProblem(file);
  if (shape) return shape;
  const segments = file.split('/');
  if (segments.some((s) => s.toLowerCase() === '.git')) return '.git is always protected';
  const dotGit = segments.map(dotGitProblem).find(Boolean);
  if (dotGit) return dotGit;
  if (segments[0] === '.aiai') return '.aiai is always protected';
  const why = policy.whyNotChangeable(file);
  if (why) return `the path is ${why}`;
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join('/');
    const mode = modes.get(prefix);
    if (mode === MODE.symlink || isSymlinkOnDisk(path.join(workspace, prefix))) return `the path goes through a symbolic link (${prefix})`;
    if (mode === MODE.submodule) return `the path goes through a submodule (${prefix})`;
    // Git would put the new file in the folder's place, or a folder in the file's, and with it delete what was there.
    if (i === segments.length && mode === MODE.folder) return 'the path is a folder in the parent version; an edit changes a file';
    if (i < segments.length && mode !== undefined && mode !== MODE.folder) return `the path goes through a file of the parent version (${prefix})`;
  }
  return undefined;
}

/** Why a path cannot be written as a file when the proposal also writes a file where one of its folders would be. */
function editedAsFile(file: string, edited: ReadonlySet<string>): string | undefined {
  const segments = file.split('/');
  const prefix = segments.slice(1).map((_, i) => segments.slice(0, i + 1).join('/')).find((p) => edited.has(p));
  return prefix === undefined ? undefined : `the proposal also writes ${JSON.stringify(prefix)} as a file, where this path needs a folder`;
}

function isSymlinkOnDisk(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
