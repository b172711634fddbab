import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export function readTextIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The parsed file, or undefined when it is missing or half-written. */
export function readJson<T>(file: string): T | undefined {
  const text = readTextIfExists(file);
  return text === undefined ? undefined : (tryParseJson(text) as T | undefined);
}

/**
 * Writes through a temporary file and a rename, so a reader never sees half a file;
 * `indent` 0 for a compact file. A write that fails (a full disk) leaves the file as
 * it was and takes its half-written temporary file away.
 */
export function writeJsonAtomic(file: string, value: unknown, indent = 2): void {
  writeTextAtomic(file, `${JSON.stringify(value, null, indent)}\n`);
}

/** Writes text as `writeJsonAtomic` writes JSON: whole or not at all. */
export function writeTextAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Folders of dependencies, environments and builds: no look at a project's own files enters them. */
const NOT_THE_PROJECTS = new Set(['node_modules', '__pycache__', 'venv', 'vendor', 'dist', 'build', 'target', 'site-packages']);

/**
 * A project's own files under `folders` of `root` ('' for all of it), as paths with
 * `/`, in sorted order, without hidden names or dependency folders. The walk is
 * bounded: it stops after `maxEntries` entries seen, or once `maxFiles` files kept.
 */
export function projectFiles(root: string, folders: readonly string[], bounds: { maxEntries: number; maxFiles?: number }, keep: (file: string) => boolean = () => true): string[] {
  const out: string[] = [];
  let entries = 0;
  const full = (): boolean => ++entries > bounds.maxEntries || (bounds.maxFiles !== undefined && out.length >= bounds.maxFiles);
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(path.join(root, dir)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (full()) return;
      if (name.startsWith('.') || NOT_THE_PROJECTS.has(name)) continue;
      const rel = dir ? `${dir}/${name}` : name;
      const stat = statSync(path.join(root, rel), { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(rel);
      else if (stat?.isFile() && keep(rel)) out.push(rel);
    }
  };
  for (const folder of folders) walk(folder);
  return out;
}
