import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
