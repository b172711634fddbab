import { lstatSync } from 'node:fs';
import * as path from 'node:path';
import type { Edit } from './edits';
import type { PathPolicy } from './paths';

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Refuses, before anything is written or run, edits to paths a proposal may not
 * touch. `symlinks` lists the paths that are symbolic links in the parent commit.
 */
export function guardEdits(edits: Edit[], policy: PathPolicy, workspace: string, symlinks: ReadonlySet<string>): GuardVerdict {
  if (edits.length === 0) return { ok: false, reason: 'the proposal has no edits' };
  for (const edit of edits) {
    const reason = pathProblem(edit.path, policy, workspace, symlinks);
    if (reason) return { ok: false, reason: `"${edit.path}": ${reason}` };
  }
  return { ok: true };
}

function pathProblem(file: string, policy: PathPolicy, workspace: string, symlinks: ReadonlySet<string>): string | undefined {
  if (typeof file !== 'string' || file.trim() === '') return 'the path is empty';
  if (file.includes('\0')) return 'the path contains a NUL byte';
  if (path.isAbsolute(file) || path.win32.isAbsolute(file)) return 'absolute paths are refused; paths are relative to the workspace';
  if (file.includes('\\')) return 'backslashes are refused; use / between folders';
  const segments = file.split('/');
  if (segments.includes('..')) return 'the path escapes the workspace (..)';
  if (segments.some((s) => s === '' || s === '.')) return 'the path is not in normal form (empty or "." segment)';
  if (segments.some((s) => s.toLowerCase() === '.git')) return '.git is always protected';
  if (segments[0] === '.aiai') return '.aiai is always protected';
  if (policy.isProtected(file)) return 'the path is protected';
  if (!policy.isEditable(file)) return 'the path is outside the editable globs';
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
