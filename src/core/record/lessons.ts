import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { readTextIfExists } from '../common/files';
import { capText } from '../common/text';

/** The workspace's lessons: what earlier runs learned, rewritten after each model run, editable by a person. */
export const LESSONS_FILE = path.join(CONFIG_DIR, 'lessons.md');

/** Lessons longer than this are cut, so they never crowd out the agent's files. */
export const LESSONS_CHARS = 6000;

export function readLessons(workspace: string): string | undefined {
  const text = readTextIfExists(path.join(workspace, LESSONS_FILE))?.trim();
  return text ? capText(text, LESSONS_CHARS) : undefined;
}

export function writeLessons(workspace: string, text: string): void {
  writeFileSync(path.join(workspace, LESSONS_FILE), `${capText(text.trim(), LESSONS_CHARS)}\n`);
}
