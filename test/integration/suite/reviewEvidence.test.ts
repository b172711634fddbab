import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { AiaiApi } from '../../../src/extension/extension';
import type { CasePageReply, ComparePageReply, ToWebview } from '../../../src/protocol';
import { answeringQuickPicks, cli, extension, git, itemsOf, listed, nextSent, nextSnapshot, openPanel, parentsOf, pendingIds, workspace, WorkspaceStates } from './host';

/*
 * The evidence behind a decision, in the real extension host: the cases behind a
 * score a page at a time, Compare with…, a chain reviewed as one change, and the
 * quick reasons of a rejection. The seeded run is a chain x 3 → 4 → 5 → 6, each step
 * passing one more case of smoke, train and holdout.
 */

const isCasePage = (m: ToWebview): m is CasePageReply => m.type === 'casePage';
const isComparison = (m: ToWebview): m is Extract<ToWebview, { type: 'compare' }> => m.type === 'compare';
const isComparePage = (m: ToWebview): m is ComparePageReply => m.type === 'comparePage';

describe('The evidence behind a decision, in the review panel', () => {
  let api: AiaiApi;
  let states: WorkspaceStates;

  before(async () => {
    api = await extension().activate();
    states = new WorkspaceStates();
    await states.seed();
  });

  after(() => states.dispose());

  /** Asks the panel for a page of a candidate's cases, as its list does, and returns the answer (not one to the webview's own list). */
  async function casePage(id: string, text: string, offset: number, limit: number): Promise<CasePageReply> {
    const answered = nextSent(api.review.onDidSend, (m): m is CasePageReply => isCasePage(m) && m.id === id && m.query.text === text && m.query.offset === offset && m.query.limit === limit);
    await api.review.receive({ type: 'casePage', id, query: { text, offset, limit } });
    return answered;
  }

  /** A person's own edit that makes cases fail, graded with `aiai try`; the working tree is put back. */
  function worseByHand(): string {
    writeFileSync(path.join(workspace(), 'agent', 'params.json'), '{ "x": 1 }\n');
    try {
      cli('try', '--title', 'x down to 1');
    } finally {
      git('checkout', '--', 'agent/params.json');
    }
    const made = listed().at(-1);
    assert.ok(made, 'the tried change is a candidate');
    return made.id;
  }

  it('the cases behind the score come a page at a time, newly failing first, with input, expected, output before and after, and feedback; filtered by any of them', async () => {
    await states.use('seeded');
    const [first] = pendingIds();
    assert.ok(first);
    await openPanel(api, first);

    const one = await casePage(first, '', 0, 2);
    assert.deepEqual([one.page?.total, one.page?.offset, one.page?.counts], [3, 0, { 'newly-failing': 0, 'newly-passing': 3 }]);
    assert.deepEqual(one.page?.before, { kind: 'baseline', commit: states.baseline }, 'a first step is counted against the run\'s baseline');
    assert.deepEqual(one.page?.cases.map((k) => `${k.eval}/${k.id}`), ['smoke/smoke-2', 'train/train-2']);
    assert.deepEqual(one.page?.cases[1], {
      eval: 'train',
      holdout: false,
      change: 'newly-passing',
      id: 'train-2',
      input: '{"question":"q2"}',
      expected: 'answer-2',
      before: { passed: false, output: 'no-idea', feedback: 'case 2 passes once x is above 2' },
      after: { passed: true, output: 'answer-2' },
    });
    const two = await casePage(first, '', 2, 2);
    assert.deepEqual(two.page?.cases.map((k) => [k.id, k.holdout]), [['HOLDOUT-SECRET-2', true]], 'the second page: the holdout case, marked');
    const found = await casePage(first, 'TRAIN', 0, 20);
    assert.deepEqual([found.page?.total, found.page?.cases.map((k) => k.id)], [1, ['train-2']], 'a filter, whatever its case');
    const byOutput = await casePage(first, 'no-idea', 0, 20);
    assert.equal(byOutput.page?.total, 3, 'the filter looks in the outputs too');

    const worse = worseByHand();
    const failing = await casePage(worse, '', 0, 20);
    assert.deepEqual(
      failing.page?.cases.map((k) => [k.change, `${k.eval}/${k.id}`, k.before?.output, k.after.output, k.after.feedback]),
      [
        ['newly-failing', 'smoke/smoke-1', 'answer-1', 'no-idea', 'case 1 passes once x is above 1'],
        ['newly-failing', 'train/train-1', 'answer-1', 'no-idea', 'case 1 passes once x is above 1'],
      ],
    );
    const unknown = await casePage('ffffffff', '', 0, 20);
    assert.match(unknown.error ?? '', /no candidate "ffffffff"/, 'a page that cannot be read says why');

    // A page asked for with a limit past the protocol's is dropped on arrival: no answer, no read.
    let answered = 0;
    const counting = api.review.onDidSend((m) => void (m.type === 'casePage' && answered++));
    await api.review.receive({ type: 'casePage', id: first, query: { text: '', offset: 0, limit: 100_000 } });
    await api.review.receive({ type: 'casePage', id: first, query: { text: '', offset: -1, limit: 20 } });
    counting.dispose();
    assert.equal(answered, 0);
  });

  it('Compare Candidates… with two candidates shows their metrics side by side, the cases that differ with evidence, and the change between them', async () => {
    await states.use('seeded');
    const queue = pendingIds();
    const [first, last] = [queue[0], queue.at(-1)];
    assert.ok(first && last && first !== last);
    const shown = nextSent(api.compare.onDidSend, isComparison);
    const { offered } = await answeringQuickPicks(
      (items, title) => items.find((i) => i.detail === `candidate ${title.includes('with') ? last : first}`),
      () => vscode.commands.executeCommand('aiai.compare'),
    );
    assert.equal(offered.length, 2, 'the person picked both sides');
    assert.deepEqual(offered[0]?.items.filter((i) => i.kind === vscode.QuickPickItemKind.Separator).map((i) => i.label), ['Versions', 'Candidates']);
    assert.ok(offered[0]?.items.some((i) => i.label.startsWith('v0')), 'the versions are offered');
    assert.ok(!offered[1]?.items.some((i) => i.detail === `candidate ${first}`), 'the first side is not offered again');
    const { comparison: c } = await shown;
    assert.deepEqual([c.a.ref, c.b.ref], [{ kind: 'candidate', id: first }, { kind: 'candidate', id: last }]);
    assert.deepEqual(c.metrics.find((m) => m.objective), { eval: 'train', kind: 'train', metric: 'score', statusA: 'passed', statusB: 'passed', a: 0.3, b: 0.6, delta: 0.3, better: true, objective: true });
    assert.deepEqual(c.cases.counts, { 'passes-in-a': 0, 'passes-in-b': 9 }, 'cases 3, 4 and 5 of smoke, train and holdout');
    assert.deepEqual(c.cases.cases[0], { eval: 'smoke', holdout: false, change: 'passes-in-b', id: 'smoke-3', input: '{"question":"q3"}', expected: 'answer-3', a: { passed: false, output: 'no-idea', feedback: 'case 3 passes once x is above 3' }, b: { passed: true, output: 'answer-3' } });
    assert.deepEqual(c.changedPaths, ['agent/params.json']);
    assert.match(c.diff, /^\+ {2}"x": 6$/m);
    await tabLabelled(`AIAI Compare: candidate ${first} ↔ candidate ${last}`);

    const asked = nextSent(api.compare.onDidSend, (m): m is ComparePageReply => isComparePage(m) && m.query.text === 'q4');
    await api.compare.receive({ type: 'comparePage', a: c.a.ref, b: c.b.ref, query: { text: 'q4', offset: 1, limit: 1 } });
    const page = await asked;
    assert.deepEqual([page.page?.total, page.page?.cases.map((k) => k.id)], [3, ['train-4']], 'filtered and paged: smoke-4, train-4 and the holdout case, the second of them');

    const diffEditor = tabLabelled(`AIAI candidate ${first} ↔ candidate ${last}`);
    await api.compare.receive({ type: 'openCompareDiff', seq: 1, a: c.a.ref, b: c.b.ref });
    await diffEditor; // the native diff editor on the editable files
  });

  it('Compare with… in the panel compares the candidate shown with a version the person picks; a Versions row\'s Compare with… from the other side', async () => {
    await states.use('seeded');
    const last = pendingIds().at(-1);
    assert.ok(last);
    await openPanel(api, last);
    const shown = nextSent(api.compare.onDidSend, isComparison);
    const { offered } = await answeringQuickPicks(
      (items) => items.find((i) => i.label.startsWith('v0')),
      () => api.review.receive({ type: 'compareWith', seq: 2, id: last }),
    );
    assert.equal(offered.length, 1, 'only the other side is asked for');
    assert.match(offered[0]?.title ?? '', new RegExp(`Compare candidate ${last} with…`));
    const { comparison: c } = await shown;
    assert.deepEqual([c.a.ref, c.b.ref, c.b.name, c.b.detail], [{ kind: 'candidate', id: last }, { kind: 'version', commit: states.baseline }, `v0 (${states.baseline.slice(0, 8)})`, 'baseline']);
    const objective = c.metrics.find((m) => m.objective);
    assert.deepEqual([objective?.a, objective?.b, objective?.delta, objective?.better], [0.6, 0.2, -0.4, false], 'the baseline as its run measured it');
    assert.deepEqual(c.cases.counts, { 'passes-in-a': 12, 'passes-in-b': 0 }, 'cases 2–5 of smoke, train and holdout');
    assert.ok(reviewStillOpen(), 'the review stays open beside the comparison');

    const [v0] = await itemsOf(api.versions);
    assert.ok(v0);
    const fromRow = nextSent(api.compare.onDidSend, (m): m is Extract<ToWebview, { type: 'compare' }> => isComparison(m) && m.comparison.a.ref.kind === 'version');
    await answeringQuickPicks(
      (items) => items.find((i) => i.detail === `candidate ${last}`),
      () => vscode.commands.executeCommand('aiai.compareWith', v0.node),
    );
    const reversed = (await fromRow).comparison;
    assert.deepEqual([reversed.a.ref, reversed.b.ref], [{ kind: 'version', commit: states.baseline }, { kind: 'candidate', id: last }]);
    assert.deepEqual(reversed.cases.counts, { 'passes-in-a': 0, 'passes-in-b': 12 });
  });

  it('a candidate grown from pending ones is reviewed as one change: the panel names the chain and its delta against the current version, and after approval the chain shows superseded', async () => {
    await states.use('seeded');
    const tip = pendingIds().at(-1);
    assert.ok(tip);
    const steps = [...parentsOf(tip), tip];
    assert.equal(steps.length, 4);
    const snapshot = await openPanel(api, tip);
    assert.deepEqual(snapshot.chain?.steps.map((s) => [s.id, s.status]), steps.map((id) => [id, 'pending']));
    assert.deepEqual([snapshot.chain?.from.version, snapshot.chain?.current.commit, snapshot.chain?.moved], ['v0', states.baseline, false]);
    assert.deepEqual(snapshot.chain?.objective, { metric: 'score', current: 0.2, value: 0.6, delta: 0.4, better: true });
    const [firstStep] = steps;
    assert.ok(firstStep);
    const alone = nextSnapshot(api, (s) => s.review.id === firstStep);
    await api.review.receive({ type: 'navigate', id: firstStep });
    assert.equal((await alone).chain, undefined, 'a candidate of the baseline is its own change');

    await api.review.receive({ type: 'navigate', id: tip });
    const done = nextSnapshot(api, (s) => s.outcome !== undefined);
    const contentHash = snapshot.review.contentHash;
    assert.ok(contentHash);
    await api.review.receive({ type: 'approve', seq: 3, id: tip, contentHash });
    const afterApproval = await done;
    assert.match(afterApproval.outcome?.message ?? '', /^Approved [0-9a-f]{12}: committed [0-9a-f]{8} “aiai: .*”; 3 pending candidate\(s\) superseded$/);
    assert.equal(git('log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), tip);

    const earlier = steps[1];
    assert.ok(earlier);
    const superseded = nextSnapshot(api, (s) => s.review.id === earlier);
    await api.review.receive({ type: 'navigate', id: earlier });
    const step = await superseded;
    assert.equal(step.review.status, 'superseded');
    assert.equal(step.review.reason, `superseded by ${tip} (v1), which applied its change as part of the chain`);
    assert.equal(step.canDecide, false, 'Approve and Reject are off');
    assert.equal(step.chain, undefined);
    const refused = nextSnapshot(api, (s) => s.outcome?.level === 'error');
    await api.review.receive({ type: 'reject', seq: 4, id: earlier, reason: 'sent anyway' });
    assert.match((await refused).outcome?.message ?? '', /is superseded; only a pending candidate can be rejected/, 'the engine refuses too');
  });

  it('Reject with a quick reason records it beside the words, as the model proposer reads it', async () => {
    await states.use('seeded');
    const [first, second] = pendingIds();
    assert.ok(first && second);
    await openPanel(api, first);
    const done = nextSnapshot(api, (s) => s.outcome !== undefined);
    await api.review.receive({ type: 'reject', seq: 5, id: first, reason: 'only tuned to q2', because: 'overfits' });
    assert.equal((await done).outcome?.message, `Rejected ${first}: overfits: only tuned to q2`);
    const record = JSON.parse(cli('show', first, '--json')) as { status: string; reason: string; decision: { because?: string; reason?: string; by: string } };
    assert.deepEqual([record.status, record.reason, record.decision.because, record.decision.reason, record.decision.by], ['rejected', 'overfits: only tuned to q2', 'overfits', 'only tuned to q2', 'person via vscode']);

    await api.review.receive({ type: 'reject', seq: 6, id: second, reason: '', because: 'wrong-direction' });
    assert.deepEqual(JSON.parse(cli('show', second, '--json')).decision.because, 'wrong-direction', 'a quick reason alone is enough');
    await api.review.receive({ type: 'reject', seq: 7, id: pendingIds()[0], reason: '', because: 'rude' });
    assert.equal(listed().filter((c) => c.status === 'rejected').length, 2, 'a reason that is not one of the quick reasons is dropped on arrival');
  });
});

/** Resolves once a tab of this label is open: VS Code tells the tab model after the call that made it returns. */
function tabLabelled(label: string): Promise<void> {
  const open = (): boolean => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === label));
  return new Promise((resolve) => {
    if (open()) return resolve();
    const watch = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (!open()) return;
      watch.dispose();
      resolve();
    });
  });
}

function reviewStillOpen(): boolean {
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('aiai.review')));
}
