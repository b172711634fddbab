import { lstatSync } from 'node:fs';
import * as path from 'node:path';
import { applyEdits, type Edit } from '../propose/edits';
import { changeOutsideBlocks, hasEvolveMarkers } from '../config/evolveBlocks';
import type { PathPolicy } from '../config/pathPolicy';

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

/** A proposal larger than this is refused before anything is built: no agent change needs it. */
export const MAX_EDITED_FILES = 200;
export const MAX_PROPOSAL_BYTES = 5 * 1024 * 1024;

/**
 * Refuses, before anything is written or run, edits to paths a proposal may not
 * touch, and edits outside the evolve blocks of a file that has them. `symlinks`
 * lists the paths that are symbolic links in the parent commit; `read` gives a
 * file of the parent commit.
 */
export async function guardEdits(
  edits: Edit[],
  policy: PathPolicy,
  workspace: string,
  symlinks: ReadonlySet<string>,
  read: (file: string) => Promise<string | undefined>,
): Promise<GuardVerdict> {
  if (edits.length === 0) return { ok: false, reason: 'the proposal has no edits' };
  const files = new Set(edits.map((e) => e.path)).size;
  if (files > MAX_EDITED_FILES) return { ok: false, reason: `the proposal edits ${files} files; at most ${MAX_EDITED_FILES} are accepted` };
  const bytes = edits.reduce((n, e) => n + Buffer.byteLength(String(e.search)) + Buffer.byteLength(String(e.replace)), 0);
  if (bytes > MAX_PROPOSAL_BYTES) return { ok: false, reason: `the proposal's edits hold ${bytes} bytes; at most ${MAX_PROPOSAL_BYTES} are accepted` };
  for (const edit of edits) {
    const reason = pathProblem(edit.path, policy, workspace, symlinks);
    if (reason) return { ok: false, reason: `"${edit.path}": ${reason}` };
  }
  for (const file of new Set(edits.map((e) => e.path))) {
    const reason = await evolveBlockProblem(file, edits, read);
    if (reason) return { ok: false, reason: `"${file}", ${reason}` };
  }
  return { ok: true };
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
  if (path.isAbsolute(file) || path.win32.isAbsolute(file)) return 'absolute paths are refused; paths are relative to the workspace';
  if (file.includes('\\')) return 'backslashes are refused; use / between folders';
  const segments = file.split('/');
  if (segments.includes('..')) return 'the path escapes the workspace (..)';
  if (segments.some((s) => s === '' || s === '.')) return 'the path is not in normal form (empty or "." segment)';
  return undefined;
}

function pathProblem(file: string, policy: PathPolicy, workspace: string, symlinks: ReadonlySet<string>): string | undefined {
  const shape = pathShapeProblem(file);
  if (shape) return shape;
  const segments = file.split('/');
  if (segments.some((s) => s.toLowerCase() === '.git')) return '.git is always protected';
  if (segments[0] === '.aiai') return '.aiai is always protected';
  const why = policy.whyNotChangeable(file);
  if (why) return `the path is ${why}`;
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join('/');
    if (symlinks.has(prefix) || isSymlinkOnDisk(path.join(workspace, prefix))) {
      return `the path goes through a symbolic link (${prefix})`;
    }
  }
  return undefined;
}

function isSymlinkOnDisk(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
