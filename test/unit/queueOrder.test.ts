import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CandidateStatus, Flag } from '../../src/core/record/records';
import type { CandidateBrief } from '../../src/core/record/summary';
import { listingOf, runOrder } from '../../src/extension/listing';

/** A candidate's brief as the store lists it, created at minute `minute` of one run. */
function brief(id: string, minute: number, status: CandidateStatus, flags: Flag[] = []): CandidateBrief {
  return { id, runId: '20261201-120000-run', createdAt: `2026-12-01T12:${String(minute).padStart(2, '0')}:00Z`, status, flags, title: id, parent: { id: null, commit: 'c0ffee' } };
}

// Oldest first, as the store lists them: clean and flagged ones interleaved, some decided.
const briefs = [
  brief('clean-1', 1, 'pending'),
  brief('tamper-1', 2, 'pending', ['tamper']),
  brief('rejected-1', 3, 'rejected'),
  brief('clean-2', 4, 'pending'),
  brief('overfit-1', 5, 'pending', ['overfit']),
  brief('approved-1', 6, 'approved', ['overfit']),
  brief('clean-3', 7, 'pending'),
];

test('the review queue puts flagged candidates after the clean ones, each group oldest first', () => {
  const { pending } = listingOf({ briefs, damaged: [] });
  assert.deepEqual(pending.map((c) => c.id), ['clean-1', 'clean-2', 'clean-3', 'tamper-1', 'overfit-1']);
});

test("a run's group in the Candidates view follows the same queue, then the decided ones newest first", () => {
  const [run] = listingOf({ briefs, damaged: [] }).runs;
  assert.ok(run);
  assert.deepEqual(runOrder(run).map((c) => c.id), ['clean-1', 'clean-2', 'clean-3', 'tamper-1', 'overfit-1', 'approved-1', 'rejected-1']);
  assert.equal(run.pending, 5, 'the count is unchanged');
});
