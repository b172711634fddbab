import { appendFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';

export type AuditEvent = 'proposal' | 'refusal' | 'evaluation' | 'flag' | 'approval' | 'rejection' | 'supersession' | 'rollback';

export interface AuditEntry {
  event: AuditEvent;
  /** Who acted, and through which front end: "aiai loop (parameter-search)", "person via cli". */
  by: string;
  candidate?: string;
  contentHash?: string;
  commit?: string;
  detail?: string;
}

export const AUDIT_FILE = path.join(CONFIG_DIR, 'audit.jsonl');

/**
 * Appends to `.aiai/audit.jsonl`: one JSON line per act, never rewritten. A line is
 * written with one append call, so a crash leaves whole lines behind.
 */
export function audit(workspace: string, entry: AuditEntry): void {
  const file = path.join(workspace, AUDIT_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}
