import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { AiaiApi } from '../../../src/extension/extension';
import type { Reply, ReviewSnapshot, ToWebview } from '../../../src/protocol';
import { extension, git, openPanel, pendingIds, WorkspaceStates } from './host';

/*
 * A person's actions in the review panel are requests the extension answers one by
 * one: a double click on Approve, whose two messages arrive back to back, commits once.
 */

describe('Actions in the review panel, one at a time, each answered', () => {
  let api: AiaiApi;
  let states: WorkspaceStates;

  before(async () => {
    api = await extension().activate();
    states = new WorkspaceStates();
    await states.seed();
  });

  after(() => states.dispose());

  /** Everything the panel sends while `run` runs, in order. */
  async function sentDuring(run: () => Promise<unknown>): Promise<ToWebview[]> {
    const sent: ToWebview[] = [];
    const watch = api.review.onDidSend((message) => sent.push(message));
    try {
      await run();
    } finally {
      watch.dispose();
    }
    return sent;
  }

  const repliesIn = (sent: ToWebview[]): Reply[] => sent.filter((m): m is Reply => m.type === 'reply');
  const snapshotsIn = (sent: ToWebview[]): ReviewSnapshot[] => sent.flatMap((m) => (m.type === 'review' ? [m.snapshot] : []));

  it('a double click on Approve commits the candidate once: the second click is refused, and each is answered once', async () => {
    await states.use('seeded');
    const [id] = pendingIds();
    assert.ok(id);
    const { contentHash } = (await openPanel(api, id)).review;
    assert.ok(contentHash);

    const sent = await sentDuring(() =>
      Promise.all([api.review.receive({ type: 'approve', seq: 1, id, contentHash }), api.review.receive({ type: 'approve', seq: 2, id, contentHash })]),
    );

    assert.equal(git('rev-list', '--count', `${states.baseline}..HEAD`), '1', 'one approval commit on the branch');
    assert.equal(git('log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), id);
    const replies = repliesIn(sent);
    assert.deepEqual(replies.map((r) => r.seq).sort(), [1, 2], 'one reply to each click');
    assert.match(replies.find((r) => r.seq === 2)?.error ?? '', /^another action of this panel is still in progress/, 'the second is refused');
    assert.equal(replies.find((r) => r.seq === 1)?.error, undefined, 'the first was done');
    const outcomes = snapshotsIn(sent).flatMap((s) => (s.outcome ? [s.outcome] : []));
    assert.ok(outcomes.length > 0, 'the panel says what came of it');
    for (const outcome of outcomes) assert.ok(outcome.level === 'info' && outcome.message.startsWith(`Approved ${id}`), `what the approval did, not that the candidate was approved already: ${outcome.message}`);
    const approvedAt = sent.findIndex((m) => m.type === 'review' && m.snapshot.outcome !== undefined);
    assert.ok(approvedAt < sent.findIndex((m) => m.type === 'reply' && m.seq === 1), 'the panel shows the approval before it answers, so Approve never comes back on for the candidate approved');
  });

  it('an action that fails is answered with why, and the panel takes the next one', async () => {
    await states.use('seeded');
    const [id] = pendingIds();
    assert.ok(id);
    const { contentHash } = (await openPanel(api, id)).review;
    assert.ok(contentHash);

    const failed = repliesIn(await sentDuring(() => api.review.receive({ type: 'openDiff', seq: 1, id: 'ffffffff' })));
    assert.deepEqual(failed.map((r) => r.seq), [1]);
    assert.match(failed[0]?.error ?? '', /no candidate "ffffffff"/);

    const approved = repliesIn(await sentDuring(() => api.review.receive({ type: 'approve', seq: 2, id, contentHash })));
    assert.deepEqual(approved, [{ type: 'reply', seq: 2 }], 'done: the failure left the panel free for the next action');
    assert.equal(git('log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), id);
  });
});
