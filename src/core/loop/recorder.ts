import type { Proposal } from '../propose/proposer';
import { audit } from '../record/audit';
import type { Store } from '../record/store';
import { LOOP_ACTOR, type CandidateRecord } from '../record/records';
import type { Parent } from './context';
import type { RunState } from './runState';

/** Writes a run's candidate records and their lines in the audit log. */
export class Recorder {
  constructor(
    private readonly store: Store,
    private readonly run: RunState,
    private readonly proposerName: string,
    /** Who the audit log says proposed: the loop, or the person who made the candidate. */
    private readonly proposedBy = `${LOOP_ACTOR} (${proposerName})`,
  ) {}

  /** A candidate as proposed, before it is built or graded. */
  draft(id: string, parent: Parent, proposal: Proposal | undefined): CandidateRecord {
    const run = this.run.record;
    return {
      id,
      runId: run.id,
      createdAt: new Date().toISOString(),
      status: 'failed',
      flags: [],
      title: proposal?.title ?? '(no proposal)',
      rationale: proposal?.rationale ?? '',
      ...(proposal?.diagnosis ? { diagnosis: proposal.diagnosis } : {}),
      proposer: this.proposerName,
      parent: { id: parent.id, commit: parent.commit },
      base: run.base,
      edits: proposal?.edits ?? [],
      changedPaths: [],
      diff: '',
      deltas: { vsParent: {}, vsCurrent: {} },
      cases: {},
      durationMs: 0,
    };
  }

  /** Saves a candidate with its final status, and audits it. */
  close(candidate: CandidateRecord, started: number, status: CandidateRecord['status'], reason?: string): CandidateRecord {
    const finishedAt = new Date().toISOString();
    const closed: CandidateRecord = {
      ...candidate,
      status,
      ...(reason ? { reason } : {}),
      finishedAt,
      durationMs: Date.now() - started,
      ...(status === 'rejected' && reason ? { decision: { at: finishedAt, by: LOOP_ACTOR, reason } } : {}),
    };
    this.store.saveCandidate(closed);
    this.audit(closed);
    return closed;
  }

  private audit(c: CandidateRecord): void {
    const root = this.store.workspace;
    const about = { candidate: c.id, ...(c.contentHash ? { contentHash: c.contentHash } : {}) };
    audit(root, { event: 'proposal', by: this.proposedBy, ...about, detail: c.title });
    if (c.status === 'refused') audit(root, { event: 'refusal', by: 'aiai guard', ...about, detail: c.reason ?? '' });
    if (c.evaluation) audit(root, { event: 'evaluation', by: 'aiai evaluator', ...about, detail: `${c.status}${c.reason ? `: ${c.reason}` : ''}` });
    for (const flag of c.flags) audit(root, { event: 'flag', by: 'aiai evaluator', ...about, detail: flag });
    if (c.status === 'rejected') audit(root, { event: 'rejection', by: LOOP_ACTOR, ...about, detail: c.reason ?? '' });
  }
}
