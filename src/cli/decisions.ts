import { approve as approveCandidate } from '../core/deploy/approve';
import { usageError } from '../core/common/errors';
import { reject as rejectCandidate, rejectEach } from '../core/deploy/reject';
import type { CandidateRecord } from '../core/record/records';
import type { QuickReason } from '../shared/review';
import { rollback as rollbackTo } from '../core/deploy/rollback';
import { EXIT, print, printJson, warn } from './output';

/** Who acts through the CLI, told of interrupted deploys it completes first. */
const ACTOR = { by: 'person via cli', onNotice: warn };

export async function approve(workspace: string, id: string, opts: { hash?: string; json?: boolean }): Promise<void> {
  const result = await approveCandidate(workspace, id, { ...ACTOR, ...(opts.hash ? { contentHash: opts.hash } : {}) });
  const superseded = result.superseded.map((c) => c.id);
  if (opts.json) return printJson({ id: result.candidate.id, status: result.candidate.status, commit: result.commit, superseded });
  print(`approved ${result.candidate.id}: committed ${result.commit.slice(0, 8)} "aiai: ${result.candidate.title}"`);
  if (superseded.length > 0) print(`superseded ${superseded.length} pending candidate(s) no longer worth applying: ${superseded.join(', ')}`);
}

interface RejectOpts {
  allPending?: boolean;
  because?: QuickReason;
  reason?: string;
  json?: boolean;
}

/**
 * One id keeps the single answer (an error ends the command as before); several ids
 * or --all-pending report each, go on past a failure, and exit non-zero if any failed.
 */
export async function reject(workspace: string, ids: string[], opts: RejectOpts): Promise<void> {
  if (opts.allPending && ids.length > 0) throw usageError('give candidate ids or --all-pending, not both');
  if (!opts.allPending && ids.length === 0) throw usageError('give the id of a candidate to reject (or several), or --all-pending');
  const reasons = { ...ACTOR, ...(opts.reason ? { reason: opts.reason } : {}), ...(opts.because ? { because: opts.because } : {}) };
  const [only] = ids;
  if (only !== undefined && ids.length === 1) {
    const rejected = await rejectCandidate(workspace, only, reasons);
    if (opts.json) return printJson(rejectedJson(rejected));
    return print(`rejected ${rejected.id}${rejected.reason ? `: ${rejected.reason}` : ''}`);
  }
  const outcomes = await rejectEach(workspace, opts.allPending ? 'all-pending' : ids, reasons);
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) process.exitCode = failed.some((o) => !o.ok && o.error.kind !== 'runtime') ? EXIT.usage : EXIT.runtime;
  if (opts.json) return printJson(outcomes.map((o) => (o.ok ? rejectedJson(o.candidate) : { id: o.id, error: { kind: o.error.kind, message: o.error.message } })));
  if (outcomes.length === 0) return print('no candidate awaits review: nothing to reject');
  for (const o of outcomes) {
    if (o.ok) print(`rejected ${o.candidate.id}${o.candidate.reason ? `: ${o.candidate.reason}` : ''}`);
    else warn(`not rejected ${o.id}: ${o.error.message}`);
  }
  if (failed.length > 0) warn(`${failed.length} of ${outcomes.length} could not be rejected`);
}

function rejectedJson(c: CandidateRecord): Record<string, unknown> {
  return { id: c.id, status: c.status, reason: c.reason ?? null, because: c.decision?.because ?? null };
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
