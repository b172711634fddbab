import { AiaiError, runtimeError } from '../core/common/errors';
import { approve as approveCandidate } from '../core/deploy/approve';
import { reject as rejectCandidate } from '../core/deploy/reject';
import { rollback as rollbackTo } from '../core/deploy/rollback';
import { Store } from '../core/record/store';
import { print, printJson, warn } from './output';

/** Who acts through the CLI, told of interrupted deploys it completes first. */
const ACTOR = { by: 'person via cli', onNotice: warn };

export async function approve(workspace: string, id: string, opts: { hash?: string; json?: boolean }): Promise<void> {
  const result = await refusedUnlessPending(workspace, id, () => approveCandidate(workspace, id, { ...ACTOR, ...(opts.hash ? { contentHash: opts.hash } : {}) }));
  if (opts.json) return printJson({ id: result.candidate.id, status: result.candidate.status, commit: result.commit });
  print(`approved ${result.candidate.id}: committed ${result.commit.slice(0, 8)} "aiai: ${result.candidate.title}"`);
}

export async function reject(workspace: string, id: string, opts: { reason?: string; json?: boolean }): Promise<void> {
  const rejected = await refusedUnlessPending(workspace, id, () => rejectCandidate(workspace, id, { ...ACTOR, ...(opts.reason ? { reason: opts.reason } : {}) }));
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

/**
 * Approving or rejecting a candidate that was already decided is a refusal (exit 1),
 * not a mistake in the command: the deploy power reports it as a usage error, so the
 * record decides. An unknown id stays a usage error.
 */
async function refusedUnlessPending<T>(workspace: string, id: string, act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (error) {
    if (error instanceof AiaiError && error.kind === 'usage' && decided(workspace, id)) throw runtimeError(error.message);
    throw error;
  }
}

function decided(workspace: string, id: string): boolean {
  try {
    return new Store(workspace).candidate(id).status !== 'pending';
  } catch {
    return false; // no such candidate
  }
}
