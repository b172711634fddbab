import { runtimeError } from '../common/errors';
import { audit } from '../record/audit';
import type { CandidateRecord } from '../record/records';
import { openWorkspace, type Actor } from './preconditions';

/** Marks a pending candidate rejected, with the person's reason; the branch is not touched. */
export async function reject(workspace: string, idOrPrefix: string, options: Actor & { reason?: string }): Promise<CandidateRecord> {
  const { store } = await openWorkspace(workspace, options.onNotice);
  const candidate = store.candidate(idOrPrefix);
  if (candidate.status !== 'pending') throw runtimeError(`candidate ${candidate.id} is ${candidate.status}; only a pending candidate can be rejected`);
  const rejected: CandidateRecord = {
    ...candidate,
    status: 'rejected',
    ...(options.reason ? { reason: options.reason } : {}),
    decision: { at: new Date().toISOString(), by: options.by, ...(options.reason ? { reason: options.reason } : {}) },
  };
  store.saveCandidate(rejected);
  audit(store.workspace, { event: 'rejection', by: options.by, candidate: candidate.id, ...(candidate.contentHash ? { contentHash: candidate.contentHash } : {}), detail: options.reason ?? '' });
  return rejected;
}
