import { approve as approveCandidate } from '../core/deploy/approve';
import { reject as rejectCandidate } from '../core/deploy/reject';
import { rollback as rollbackTo } from '../core/deploy/rollback';
import { print, printJson, warn } from './output';

/** Who acts through the CLI, told of interrupted deploys it completes first. */
const ACTOR = { by: 'person via cli', onNotice: warn };

export async function approve(workspace: string, id: string, opts: { hash?: string; json?: boolean }): Promise<void> {
  const result = await approveCandidate(workspace, id, { ...ACTOR, ...(opts.hash ? { contentHash: opts.hash } : {}) });
  if (opts.json) return printJson({ id: result.candidate.id, status: result.candidate.status, commit: result.commit });
  print(`approved ${result.candidate.id}: committed ${result.commit.slice(0, 8)} "aiai: ${result.candidate.title}"`);
}

export async function reject(workspace: string, id: string, opts: { reason?: string; json?: boolean }): Promise<void> {
  const rejected = await rejectCandidate(workspace, id, { ...ACTOR, ...(opts.reason ? { reason: opts.reason } : {}) });
  if (opts.json) return printJson({ id: rejected.id, status: rejected.status, reason: rejected.reason ?? null });
  print(`rejected ${rejected.id}`);
}

export async function rollback(workspace: string, version: string, opts: { json?: boolean }): Promise<void> {
  const result = await rollbackTo(workspace, version, ACTOR);
  if (opts.json) return printJson({ version: result.target.version, restored: result.target.commit, commit: result.commit ?? null });
  print(
    result.commit
      ? `rolled back to ${result.target.version}: committed ${result.commit.slice(0, 8)}`
      : `nothing to do: the editable files already match ${result.target.version}`,
  );
}
