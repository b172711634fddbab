import { renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { readJson, readTextIfExists, writeJsonAtomic } from '../common/files';

/** What an approval or rollback is about to do to the branch, written before it does it. */
export interface DeployJournal {
  op: 'approve' | 'rollback';
  /** The branch's full ref name, its commit before, and the commit it moves to. */
  branch: string;
  from: string;
  to: string;
  by: string;
  candidate?: string;
  contentHash?: string;
  detail?: string;
  startedAt: string;
  /** The process carrying it out: a journal is settled by another only once that one is dead. */
  pid?: number;
}

export const JOURNAL_FILE = path.join(CONFIG_DIR, 'deploy-journal.json');

export function writeJournal(workspace: string, journal: DeployJournal): void {
  writeJsonAtomic(path.join(workspace, JOURNAL_FILE), { ...journal, pid: process.pid });
}

/**
 * The journal of an interrupted deploy, if there is one. A journal that cannot be
 * read (empty, `{}`, garbage) is set aside under another name, never acted on, and
 * said: `damaged` names where it went.
 */
export function readJournal(workspace: string): { journal?: DeployJournal; damaged?: string } {
  const file = path.join(workspace, JOURNAL_FILE);
  if (readTextIfExists(file) === undefined) return {};
  const journal = readJson<Partial<DeployJournal>>(file);
  if (isJournal(journal)) return { journal };
  const aside = `${file}.damaged-${Date.now()}`;
  renameSync(file, aside);
  return { damaged: aside };
}

export function clearJournal(workspace: string): void {
  rmSync(path.join(workspace, JOURNAL_FILE), { force: true });
}

function isJournal(j: Partial<DeployJournal> | undefined): j is DeployJournal {
  return (
    typeof j === 'object' && j !== null && (j.op === 'approve' || j.op === 'rollback') &&
    [j.branch, j.from, j.to, j.by, j.startedAt].every((v) => typeof v === 'string' && v !== '')
  );
}
