import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PAGE, parseFromWebview, parseToWebview, type FromWebview, type ReviewSnapshot, type ToWebview } from '../../src/protocol';
import type { Comparison } from '../../src/shared/compare';
import type { ApprovalChain, CaseEvidencePage, Review } from '../../src/shared/review';

/** A review with every optional field present, as the extension sends it. */
function fullReview(): Review {
  return {
    id: '1a2b3c4d',
    title: 'raise the urgency threshold',
    rationale: 'fewer false alarms',
    status: 'pending',
    reason: 'improved on its parent',
    flags: ['overfit'],
    proposer: 'parameter-search',
    parent: null,
    base: 'a'.repeat(40),
    contentHash: 'b'.repeat(40),
    createdAt: '2026-11-25T10:00:00.000Z',
    durationMs: 1234,
    objective: { metric: 'accuracy', value: 0.5, parent: 0.4, current: 0.4, delta: 0.1, deltaVsCurrent: 0.1, noise: 0.02, better: true },
    metrics: [
      { eval: 'train', kind: 'train', status: 'passed', metric: 'accuracy', parent: 0.4, value: 0.5, delta: 0.1, better: true, objective: true, spread: 0.01 },
      { eval: 'smoke', kind: 'gate', status: 'timeout', reason: 'ran over 20 s', metric: '', parent: null, value: null, delta: null, better: null, objective: false },
    ],
    cases: [{ eval: 'train', holdout: false, newlyPassing: ['t-1', 't-2'], newlyFailing: [] }],
    diff: 'diff --git a/agent/params.json b/agent/params.json\n',
    changedPaths: ['agent/params.json'],
    usage: { inputTokens: 10, outputTokens: 2, cacheCreationTokens: 0, cacheReadTokens: 5, costUsd: 0.001 },
    leftOut: [{ path: '.env', reason: 'may hold secrets' }],
    lineage: ['0f0f0f0f'],
    model: 'claude-fast',
    conversation: [
      { tool: 'read_file', input: '{"path":"agent/prompt.md"}', result: 'You are a triage agent.', isError: false },
      { tool: 'edit_file', input: '{"path":".env","search":"A","replace":"B"}', result: '.env is protected', isError: true },
    ],
    derivedFrom: '5e6f7a8b',
  };
}

/** A chain of two steps whose tip is shown, with every optional field present. */
function fullChain(): ApprovalChain {
  return {
    steps: [
      { id: '0f0f0f0f', title: 'first', status: 'pending' },
      { id: '1a2b3c4d', title: 'raise the urgency threshold', status: 'pending' },
    ],
    from: { commit: 'a'.repeat(40), version: 'v0', value: 0.4 },
    current: { commit: 'c'.repeat(40) },
    objective: { metric: 'accuracy', current: 0.45, value: 0.5, delta: 0.05, better: true },
    moved: true,
  };
}

/** A page of changed cases: one newly failing with all its evidence, one newly passing whose parent's record lacks it. */
function casePage(): CaseEvidencePage {
  return {
    candidate: '1a2b3c4d',
    before: { kind: 'candidate', id: '0f0f0f0f' },
    beforeMissing: 'the parent 0f0f0f0f has no evaluation',
    cases: [
      { eval: 'train', holdout: false, change: 'newly-failing', id: 't-3', input: '{"q":"refund?"}', expected: 'urgent', before: { passed: true, score: 1, output: 'urgent' }, after: { passed: false, score: 0, output: 'normal', feedback: 'missed the refund keyword' } },
      { eval: 'holdout', holdout: true, change: 'newly-passing', id: 'h-1', before: null, after: { passed: true } },
    ],
    offset: 20,
    total: 87,
    counts: { 'newly-failing': 3, 'newly-passing': 84 },
  };
}

function comparison(): Comparison {
  return {
    a: { ref: { kind: 'candidate', id: '1a2b3c4d' }, name: 'candidate 1a2b3c4d', title: 'raise the threshold', detail: 'pending', commit: 'b'.repeat(40), objective: 0.5 },
    b: { ref: { kind: 'version', commit: 'a'.repeat(40) }, name: 'v0 (aaaaaaaa)', title: 'the agent', detail: 'baseline', commit: null, objective: null, missing: 'v0 was not measured: no run started from it' },
    objective: { eval: 'train', metric: 'accuracy' },
    metrics: [
      { eval: 'train', kind: 'train', metric: 'accuracy', statusA: 'passed', statusB: 'passed', a: 0.5, b: 0.4, delta: -0.1, better: false, objective: true },
      { eval: 'holdout', kind: 'holdout', metric: '', statusA: 'timeout', statusB: null, a: null, b: null, delta: null, better: null, objective: false },
    ],
    cases: {
      cases: [{ eval: 'train', holdout: false, change: 'passes-in-a', id: 't-3', input: 'q', expected: 'urgent', a: { passed: true, output: 'urgent' }, b: { passed: false, output: 'normal', feedback: 'missed it' } }],
      offset: 0,
      total: 1,
      counts: { 'passes-in-a': 1, 'passes-in-b': 0 },
    },
    changedPaths: ['agent/params.json'],
    diff: 'diff --git a/agent/params.json b/agent/params.json\n',
  };
}

function fullSnapshot(): ReviewSnapshot {
  return {
    review: fullReview(),
    run: {
      points: [
        { id: '0f0f0f0f', parent: null, status: 'approved', title: 'first', value: 0.4 },
        { id: '1a2b3c4d', parent: '0f0f0f0f', status: 'pending', title: 'raise the urgency threshold', value: 0.5 },
        { id: '9e9e9e9e', parent: null, status: 'failed', title: 'crashed' },
      ],
      current: 0.4,
      metric: 'accuracy',
      models: [
        { model: 'claude-fast', proposals: 3, improvements: 1, usage: { inputTokens: 900, outputTokens: 80, cacheCreationTokens: 100, cacheReadTokens: 4000, costUsd: 0.012 } },
        { model: 'claude-strong', proposals: 1, improvements: 0, usage: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0 } },
      ],
    },
    pending: [{ id: '1a2b3c4d', title: 'raise the urgency threshold' }],
    canDecide: true,
    untrusted: 'This workspace is not trusted',
    coauthoring: {
      files: [
        {
          path: 'agent/params.json',
          hunks: [
            { number: 1, header: '@@ -1,3 +1,3 @@', lines: [' {', '-  "x": 2', '+  "x": 7', ' }'], more: 0 },
            { number: 2, header: '@@ -20,7 +20,8 @@ tiers', lines: ['   "a": 1,', '+  "b": 2,'], more: 5 },
          ],
        },
        { path: 'agent/logo.png', hunks: [] },
        { path: 'eval/score.js', hunks: [{ number: 1, header: '@@ -1 +1 @@', lines: ['-a', '+b'], more: 0 }], locked: 'not editable under the config now' },
      ],
      cannotEdit: 'The workspace is not trusted.',
      cannotEvaluate: 'A run is going on; evaluate once it is done.',
      checkedOut: true,
    },
    lessons: { file: '.aiai/lessons.md', text: '- Worked: a lower threshold.\n- Did not: longer prompts.' },
    outcome: { level: 'error', message: 'the content is not the reviewed one' },
    chain: fullChain(),
    unread: ['The trends across runs cannot be shown: git log failed'],
  };
}

/** What crosses the channel: VS Code serializes messages as JSON. */
const overTheWire = <T>(message: T): unknown => JSON.parse(JSON.stringify(message));

/** The snapshot message with one part changed by `edit`. */
function reviewMessageWith(edit: (snapshot: Record<string, any>) => void): unknown {
  const message = overTheWire({ type: 'review', snapshot: fullSnapshot() }) as { snapshot: Record<string, any> };
  edit(message.snapshot);
  return message;
}

test('every message the webview may send arrives as sent', () => {
  const messages: FromWebview[] = [
    { type: 'ready' },
    { type: 'approve', seq: 1, id: '1a2b3c4d', contentHash: 'b'.repeat(40) },
    { type: 'reject', seq: 2, id: '1a2b3c4d', reason: 'too risky' },
    { type: 'openDiff', seq: 3, id: '1a2b3c4d' },
    { type: 'navigate', id: '0f0f0f0f' },
    { type: 'openLessons', seq: 4 },
    { type: 'reject', seq: 5, id: '1a2b3c4d', reason: '', because: 'overfits' },
    { type: 'reject', seq: 6, id: '1a2b3c4d', reason: 'tuned to the ids', because: 'wrong-direction' },
    { type: 'casePage', id: '1a2b3c4d', query: { text: 'refund', offset: 40, limit: 20 } },
    { type: 'compareWith', seq: 7, id: '1a2b3c4d' },
    { type: 'comparePage', a: { kind: 'candidate', id: '1a2b3c4d' }, b: { kind: 'version', commit: 'a'.repeat(40) }, query: { text: '', offset: 0, limit: MAX_PAGE } },
    { type: 'openCompareDiff', seq: 8, a: { kind: 'version', commit: 'a'.repeat(40) }, b: { kind: 'candidate', id: '1a2b3c4d' } },
    { type: 'editInWorkspace', seq: 9, id: '1a2b3c4d' },
    { type: 'evaluateSelection', seq: 10, id: '1a2b3c4d', files: [{ path: 'agent/params.json', hunks: [2] }, { path: 'agent/prompt.md' }] },
    { type: 'unreadable', what: 'review' },
  ];
  for (const message of messages) assert.deepEqual(parseFromWebview(overTheWire(message)), message);
});

test('an action without a whole-number seq is dropped: its reply could name no request', () => {
  const actions: Array<Record<string, unknown>> = [
    { type: 'approve', id: '1a2b3c4d', contentHash: 'b'.repeat(40) },
    { type: 'reject', id: '1a2b3c4d', reason: '' },
    { type: 'openDiff', id: '1a2b3c4d' },
    { type: 'openLessons' },
    { type: 'compareWith', id: '1a2b3c4d' },
    { type: 'openCompareDiff', a: { kind: 'version', commit: 'a'.repeat(40) }, b: { kind: 'candidate', id: '1a2b3c4d' } },
    { type: 'editInWorkspace', id: '1a2b3c4d' },
    { type: 'evaluateSelection', id: '1a2b3c4d', files: [{ path: 'agent/params.json' }] },
  ];
  for (const action of actions) {
    assert.ok(parseFromWebview({ ...action, seq: 0 }), `${String(action.type)} with its seq`);
    for (const seq of [undefined, null, '1', -1, 1.5]) assert.equal(parseFromWebview({ ...action, seq }), undefined, `${String(action.type)} with seq ${JSON.stringify(seq)}`);
  }
});

test('a quick reason, a page or a side that is not one is dropped on arrival, so no engine call sees it', () => {
  const query = { text: '', offset: 0, limit: 20 };
  const candidate = { kind: 'candidate', id: '1a2b3c4d' };
  for (const message of [
    { type: 'reject', seq: 1, id: '1a2b3c4d', reason: '', because: 'ugly' },
    { type: 'reject', seq: 1, id: '1a2b3c4d', reason: '', because: null },
    { type: 'casePage', id: '1a2b3c4d' },
    { type: 'casePage', id: '1a2b3c4d', query: { ...query, limit: MAX_PAGE + 1 } },
    { type: 'casePage', id: '1a2b3c4d', query: { ...query, limit: 2.5 } },
    { type: 'casePage', id: '1a2b3c4d', query: { ...query, offset: -20 } },
    { type: 'casePage', id: '1a2b3c4d', query: { ...query, offset: '20' } },
    { type: 'casePage', id: '1a2b3c4d', query: { offset: 0, limit: 20 } },
    { type: 'compareWith', seq: 1 },
    { type: 'comparePage', a: candidate, b: { kind: 'version' }, query },
    { type: 'comparePage', a: candidate, b: { kind: 'branch', name: 'main' }, query },
    { type: 'comparePage', a: candidate, query },
    { type: 'openCompareDiff', seq: 1, a: 'candidate 1a2b3c4d', b: candidate },
  ]) {
    assert.equal(parseFromWebview(message), undefined, JSON.stringify(message));
  }
});

test('a message from the webview that is not in the protocol does nothing', () => {
  for (const message of [
    'approve',
    null,
    [],
    { type: 'approve', seq: 1, id: '1a2b3c4d' },
    { type: 'approve', seq: 1, id: 7, contentHash: 'x' },
    { type: 'reject', seq: 1, id: '1a2b3c4d' },
    { type: 'openDiff', seq: 1 },
    { type: 'deploy', id: '1a2b3c4d' },
    { type: 'toString' },
    { type: 'constructor', id: 'x' },
    { type: 'editInWorkspace', seq: 1 },
    { type: 'editInWorkspace', seq: 1, id: ['1a2b3c4d'] },
    { type: 'evaluateSelection', seq: 1, id: '1a2b3c4d' },
    { type: 'evaluateSelection', seq: 1, id: '1a2b3c4d', files: 'agent/params.json' },
    { type: 'evaluateSelection', seq: 1, id: '1a2b3c4d', files: [{ hunks: [1] }] },
    { type: 'evaluateSelection', seq: 1, id: '1a2b3c4d', files: [{ path: 'agent/params.json', hunks: ['1'] }] },
    { type: 'evaluateSelection', seq: 1, id: '1a2b3c4d', files: [{ path: 'agent/params.json', hunks: 2 }] },
  ]) {
    assert.equal(parseFromWebview(message), undefined, JSON.stringify(message));
  }
});

test('fields the protocol does not name are left behind, so nothing unchecked reaches a decision', () => {
  assert.deepEqual(parseFromWebview({ type: 'approve', seq: 1, id: '1a2b3c4d', contentHash: 'x', force: true }), { type: 'approve', seq: 1, id: '1a2b3c4d', contentHash: 'x' });
  const parsed = parseToWebview(reviewMessageWith((s) => (s.review.script = 'alert(1)')));
  assert.ok(parsed?.type === 'review');
  assert.equal('script' in parsed.snapshot.review, false);
});

test('a full review snapshot, and the empty panel, arrive as sent', () => {
  const messages: ToWebview[] = [
    { type: 'review', snapshot: fullSnapshot() },
    { type: 'empty', message: 'No candidate awaits review.' },
    { type: 'empty', message: 'No candidate awaits review.', outcome: { level: 'info', message: 'Approved 1a2b3c4d' } },
    { type: 'empty', message: 'No candidate awaits review.', unread: ['The trends across runs cannot be shown: not a git repository'] },
  ];
  for (const message of messages) assert.deepEqual(parseToWebview(overTheWire(message)), message);
});

test('a page of cases, a comparison and its pages, and their failures arrive as sent', () => {
  const query = { text: 'refund', offset: 20, limit: 20 };
  const a = { kind: 'candidate', id: '1a2b3c4d' } as const;
  const b = { kind: 'version', commit: 'a'.repeat(40) } as const;
  const baselinePage: CaseEvidencePage = { ...casePage(), before: { kind: 'baseline', commit: 'a'.repeat(40) } };
  delete baselinePage.beforeMissing;
  const messages: ToWebview[] = [
    { type: 'casePage', id: '1a2b3c4d', query, page: casePage() },
    { type: 'casePage', id: '1a2b3c4d', query, page: baselinePage },
    { type: 'casePage', id: 'ffffffff', query, error: 'no candidate "ffffffff"' },
    { type: 'compare', comparison: comparison() },
    { type: 'compareFailed', message: 'deadbeef is not a version of the checked-out branch' },
    { type: 'comparePage', a, b, query, page: comparison().cases },
    { type: 'comparePage', a, b, query, error: 'no candidate "1a2b3c4d"' },
  ];
  for (const message of messages) assert.deepEqual(parseToWebview(overTheWire(message)), message);
});

test('a reply names its request, and says why when it failed or was refused', () => {
  const replies: ToWebview[] = [
    { type: 'reply', seq: 1 },
    { type: 'reply', seq: 2, error: 'another action of this panel is still in progress; try again once it is done' },
  ];
  for (const message of replies) assert.deepEqual(parseToWebview(overTheWire(message)), message);
  for (const message of [{ type: 'reply' }, { type: 'reply', seq: '1' }, { type: 'reply', seq: -1 }, { type: 'reply', seq: 1.5 }, { type: 'reply', seq: 1, error: { message: 'failed' } }, { type: 'reply', seq: 1, error: null }]) {
    assert.equal(parseToWebview(message), undefined, JSON.stringify(message));
  }
});

test('a wrong value inside a page of cases, a chain or a comparison drops the whole message', () => {
  const query = { text: '', offset: 0, limit: 20 };
  const pageWith = (edit: (p: Record<string, any>) => void): unknown => {
    const message = overTheWire({ type: 'casePage', id: '1a2b3c4d', query, page: casePage() }) as { page: Record<string, any> };
    edit(message.page);
    return message;
  };
  const comparisonWith = (edit: (c: Record<string, any>) => void): unknown => {
    const message = overTheWire({ type: 'compare', comparison: comparison() }) as { comparison: Record<string, any> };
    edit(message.comparison);
    return message;
  };
  const broken: Array<[string, unknown]> = [
    ['a case of unknown change', pageWith((p) => (p.cases[0].change = 'flaky'))],
    ['a case without its after side', pageWith((p) => delete p.cases[0].after)],
    ['an output that is not text', pageWith((p) => (p.cases[0].after.output = { text: 'normal' }))],
    ['counts without the newly failing', pageWith((p) => delete p.counts['newly-failing'])],
    ['a before of unknown kind', pageWith((p) => (p.before = { kind: 'branch', name: 'main' }))],
    ['a chain step of unknown status', reviewMessageWith((s) => (s.chain.steps[0].status = 'lost'))],
    ['a chain without its current version', reviewMessageWith((s) => delete s.chain.current)],
    ['a chain objective without its delta', reviewMessageWith((s) => delete s.chain.objective.delta)],
    ['a compared side without its name', comparisonWith((c) => delete c.a.name)],
    ['a compared side of unknown kind', comparisonWith((c) => (c.b.ref = { kind: 'tag', name: 'v0' }))],
    ['a metric whose B is text', comparisonWith((c) => (c.metrics[0].b = '0.4'))],
    ['a metric of unknown status', comparisonWith((c) => (c.metrics[1].statusA = 'exploded'))],
    ['a compared case of unknown change', comparisonWith((c) => (c.cases.cases[0].change = 'passes-in-c'))],
    ['a comparison without its diff', comparisonWith((c) => delete c.diff)],
  ];
  for (const [what, message] of broken) assert.equal(parseToWebview(message), undefined, what);
});

test('a snapshot without its optional parts still shows', () => {
  const review: Review = { ...fullReview(), lineage: [] };
  for (const key of ['reason', 'contentHash', 'objective', 'usage', 'leftOut', 'model', 'conversation', 'derivedFrom'] as const) delete review[key];
  const snapshot: ReviewSnapshot = { review, run: { points: [], metric: 'accuracy', models: [] }, pending: [], canDecide: false, coauthoring: { files: [], checkedOut: false } };
  assert.deepEqual(parseToWebview(overTheWire({ type: 'review', snapshot })), { type: 'review', snapshot });
});

test('a snapshot missing any field the panel reads is dropped, not half drawn', () => {
  const required = ['id', 'title', 'rationale', 'status', 'flags', 'proposer', 'parent', 'base', 'createdAt', 'durationMs', 'metrics', 'cases', 'diff', 'changedPaths', 'lineage'];
  for (const key of required) assert.equal(parseToWebview(reviewMessageWith((s) => delete s.review[key])), undefined, `review without ${key}`);
  for (const key of ['review', 'run', 'pending', 'canDecide', 'coauthoring']) assert.equal(parseToWebview(reviewMessageWith((s) => delete s[key])), undefined, `snapshot without ${key}`);
  assert.equal(parseToWebview(reviewMessageWith((s) => delete s.run.metric)), undefined, 'run without its metric');
  assert.equal(parseToWebview(reviewMessageWith((s) => delete s.run.models)), undefined, 'run without its tallies per model');
  assert.equal(parseToWebview({ type: 'review' }), undefined);
});

test('a wrong value deep inside the snapshot drops the whole message', () => {
  const broken: Array<[string, (s: Record<string, any>) => void]> = [
    ['a metric value that is text', (s) => (s.review.metrics[0].value = '0.5')],
    ['an unknown eval status', (s) => (s.review.metrics[1].status = 'exploded')],
    ['an unknown eval kind', (s) => (s.review.metrics[0].kind = 'secret')],
    ['a case id that is a number', (s) => (s.review.cases[0].newlyPassing = [1])],
    ['a run point of unknown status', (s) => (s.run.points[2].status = 'lost')],
    ['a run point without a parent', (s) => delete s.run.points[0].parent],
    ['a pending item without a title', (s) => delete s.pending[0].title],
    ['usage without its cost', (s) => delete s.review.usage.costUsd],
    ['an objective without its delta', (s) => delete s.review.objective.delta],
    ['a left-out file without its reason', (s) => delete s.review.leftOut[0].reason],
    ['a lineage entry that is null', (s) => (s.review.lineage = [null])],
    ['an outcome of unknown level', (s) => (s.outcome = { level: 'warning', message: 'x' })],
    ['an optional field present but wrong', (s) => (s.review.contentHash = 42)],
    ['a model that is not text', (s) => (s.review.model = { name: 'claude-fast' })],
    ['a conversation that is not a list', (s) => (s.review.conversation = 'read_file')],
    ['a tool call whose input is still an object', (s) => (s.review.conversation[0].input = { path: 'agent/prompt.md' })],
    ['a tool call without its answer', (s) => delete s.review.conversation[0].result],
    ['a tool call not saying whether it failed', (s) => delete s.review.conversation[1].isError],
    ['a model tally without its usage', (s) => delete s.run.models[0].usage],
    ['a model tally whose proposals are text', (s) => (s.run.models[1].proposals = '1')],
    ['lessons that are bare text', (s) => (s.lessons = '- Worked: a lower threshold.')],
    ['lessons without their file', (s) => delete s.lessons.file],
    ['a derived-from that is not an id', (s) => (s.review.derivedFrom = 7)],
    ['co-authoring without its files', (s) => delete s.coauthoring.files],
    ['co-authoring not saying whether it is checked out', (s) => delete s.coauthoring.checkedOut],
    ['a file of the change without its hunks', (s) => delete s.coauthoring.files[1].hunks],
    ['a hunk without its number', (s) => delete s.coauthoring.files[0].hunks[1].number],
    ['a hunk whose lines are one text', (s) => (s.coauthoring.files[0].hunks[0].lines = ' {\n-  "x": 2')],
    ['a hunk without its count of lines not shown', (s) => delete s.coauthoring.files[0].hunks[0].more],
    ['a locked file whose reason is not text', (s) => (s.coauthoring.files[2].locked = true)],
  ];
  for (const [what, edit] of broken) assert.equal(parseToWebview(reviewMessageWith(edit)), undefined, what);
});

test('a number the channel could not carry (NaN becomes null) is refused where a number is required', () => {
  const message = overTheWire({ type: 'review', snapshot: { ...fullSnapshot(), review: { ...fullReview(), durationMs: NaN } } });
  assert.equal(parseToWebview(message), undefined);
});

test('a message of the old protocol, or of no known type, is dropped by the webview', () => {
  for (const message of [{ type: 'notice', level: 'info', message: 'Approved' }, { type: 'empty' }, { type: 'hasOwnProperty' }, 'review', undefined]) {
    assert.equal(parseToWebview(message), undefined, JSON.stringify(message));
  }
});
