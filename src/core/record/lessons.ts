import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { readTextIfExists, writeTextAtomic } from '../common/files';
import { capText } from '../common/text';

/** The workspace's lessons: what earlier runs learned, rewritten after each model run, editable by a person. */
export const LESSONS_FILE = path.join(CONFIG_DIR, 'lessons.md');

/** Lessons longer than this are cut, so they never crowd out the agent's files. */
export const LESSONS_CHARS = 6000;

export function readLessons(workspace: string): string | undefined {
  const text = readTextIfExists(path.join(workspace, LESSONS_FILE))?.trim();
  return text ? capText(text, LESSONS_CHARS) : undefined;
}

/** The lessons file as it is now, byte for byte: what a rewrite starts from. */
export function lessonsAsWritten(workspace: string): string | undefined {
  return readTextIfExists(path.join(workspace, LESSONS_FILE));
}

/** Where the model's lessons go when a person edited the file while they were written. */
export const PROPOSED_LESSONS_FILE = `${LESSONS_FILE}.proposed`;

/**
 * Rewrites the lessons, whole or not at all, unless the file changed since `read`
 * (what the rewrite was made from): a person's edit made meanwhile is never written
 * over, and the new lessons are set beside it instead. Whether the file was rewritten.
 */
export function writeLessons(workspace: string, text: string, read: string | undefined): boolean {
  const file = path.join(workspace, LESSONS_FILE);
  const lessons = `${capText(text.trim(), LESSONS_CHARS)}\n`;
  if (lessonsAsWritten(workspace) !== read) {
    writeTextAtomic(path.join(workspace, PROPOSED_LESSONS_FILE), lessons);
    return false;
  }
  writeTextAtomic(file, lessons);
  return true;
}
