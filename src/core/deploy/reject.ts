import { AiaiError, errorMessage, runtimeError, usageError } from '../common/errors';
import { audit } from '../record/audit';
import type { CandidateRecord } from '../record/records';
import type { Store } from '../record/store';
import { QUICK_REASONS, rejectionText, type QuickReason } from '../../shared/review';
import { deploying, type Actor } from './preconditions';

export interface RejectOptions extends Actor {
  /** The person's words. */
  reason?: string;
  /** A quick reason (overfits, too-risky, wrong-direction, style), beside the words or instead of them. */
  because?: QuickReason;
}

/** What became of one candidate when several are rejected at once. */
export type RejectOutcome = { id: string; ok: true; candidate: CandidateRecord } | { id: string; ok: false; error: AiaiError };

/**
 * Marks a pending candidate rejected, with the person's reasons; the branch is not
 * touched. The record keeps the quick reason and the words apart (`decision`), and
 * the candidate's `reason` reads both ("overfits: tuned to the ids").
 */
export async function reject(workspace: string, idOrPrefix: string, options: RejectOptions): Promise<CandidateRecord> {
  checkBecause(options.because);
  return deploying(workspace, 'reject', options.onNotice, async ({ store }) => rejectOne(store, idOrPrefix, options));
}

/**
 * Rejects each candidate named (ids or unique prefixes), or every pending one, with
 * the same reasons. One that cannot be rejected (unknown, not pending) is reported
 * in its outcome and the others are still rejected.
 */
export async function rejectEach(workspace: string, targets: readonly string[] | 'all-pending', options: RejectOptions): Promise<RejectOutcome[]> {
  checkBecause(options.because);
  return deploying(workspace, 'reject', options.onNotice, async ({ store }) => rejectHeld(store, targets, options));
}

function rejectHeld(store: Store, targets: readonly string[] | 'all-pending', options: RejectOptions): RejectOutcome[] {
  const ids = targets === 'all-pending' ? store.briefs().briefs.filter((c) => c.status === 'pending').map((c) => c.id) : [...new Set(targets)];
  return ids.map((id): RejectOutcome => {
    try {
      return { id, ok: true, candidate: rejectOne(store, id, options) };
    } catch (error) {
      return { id, ok: false, error: error instanceof AiaiError ? error : runtimeError(errorMessage(error)) };
    }
  });
}

function rejectOne(store: Store, idOrPrefix: string, options: RejectOptions): CandidateRecord {
  const candidate = store.candidate(idOrPrefix);
  if (candidate.status !== 'pending') throw runtimeError(`candidate ${candidate.id} is ${candidate.status}; only a pending candidate can be rejected`);
  const words = options.reason?.trim() || undefined;
  const reason = rejectionText(options.because, words);
  const rejected: CandidateRecord = {
    ...candidate,
    status: 'rejected',
    ...(reason ? { reason } : {}),
    decision: { at: new Date().toISOString(), by: options.by, ...(words ? { reason: words } : {}), ...(options.because ? { because: options.because } : {}) },
  };
  store.saveCandidate(rejected);
  audit(store.workspace, { event: 'rejection', by: options.by, candidate: candidate.id, ...(candidate.contentHash ? { contentHash: candidate.contentHash } : {}), detail: reason ?? '' });
  return rejected;
}

function checkBecause(because: string | undefined): void {
  if (because !== undefined && !(QUICK_REASONS as readonly string[]).includes(because)) {
    throw usageError(`unknown quick reason "${because}"; it is one of ${QUICK_REASONS.join(', ')}`);
  }
}
