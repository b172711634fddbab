import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { readJson, writeJsonAtomic } from '../common/files';

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
}

const FILE = path.join(CONFIG_DIR, 'deploy-journal.json');

export function writeJournal(workspace: string, journal: DeployJournal): void {
  writeJsonAtomic(path.join(workspace, FILE), journal);
}

export function readJournal(workspace: string): DeployJournal | undefined {
  return readJson<DeployJournal>(path.join(workspace, FILE));
}

export function clearJournal(workspace: string): void {
  rmSync(path.join(workspace, FILE), { force: true });
}
