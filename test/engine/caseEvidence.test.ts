import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoop } from '../../src/core/loop/loop';
import { Store } from '../../src/core/record/store';
import { caseEvidence } from '../../src/core/review/caseEvidence';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cli, cliJson, configJson, git, makeRepo } from '../helpers';

/*
 * The cases behind a score: for the cases that newly pass or fail, the input, the
 * expected output, the output before and after, and the evaluator's feedback, paged
 * and searchable, as the review panel and `aiai show` give them.
 */

/** x to 5 from the baseline (cases 2–4 newly pass), then x to 3 from it (cases 3–4 newly fail). */
async function twoSteps() {
  const dir = agentWorkspace();
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 5', { x: 5 }), paramsStep('x to 3', { x: 3 })]), signal: new AbortController().signal });
  const [up, down] = summary.candidates;
  assert.equal(down!.parent.id, up!.id);
  return { dir, store: new Store(dir), up: up!, down: down! };
}

test('a candidate of the baseline: each newly passing case with its evidence before (the run\'s baseline) and after, holdout cases included', async () => {
  const { dir, store, up } = await twoSteps();
  const page = caseEvidence(store, up);
  assert.deepEqual(page.before, { kind: 'baseline', commit: git(dir, 'rev-parse', 'HEAD') });
  assert.deepEqual(page.counts, { 'newly-failing': 0, 'newly-passing': 9 }, 'cases 2, 3 and 4 of smoke, train and holdout');
  assert.equal(page.total, 9);
  const train2 = page.cases.find((c) => c.eval === 'train' && c.id === 'train-2');
  assert.deepEqual(train2, {
    eval: 'train',
    holdout: false,
    change: 'newly-passing',
    id: 'train-2',
    input: '{"question":"q2"}',
    expected: 'answer-2',
    before: { passed: false, output: 'no-idea', feedback: 'case 2 passes once x is above 2' },
    after: { passed: true, output: 'answer-2' },
  });
  const holdout = page.cases.filter((c) => c.holdout);
  assert.deepEqual(holdout.map((c) => c.id), ['HOLDOUT-SECRET-2', 'HOLDOUT-SECRET-3', 'HOLDOUT-SECRET-4'], 'a person may see holdout cases');
});

test('a candidate of a candidate: newly failing cases against the parent\'s record, first; filtered by text and paged', async () => {
  const { store, up, down } = await twoSteps();
  const page = caseEvidence(store, down);
  assert.deepEqual(page.before, { kind: 'candidate', id: up.id });
  assert.deepEqual(page.counts, { 'newly-failing': 4, 'newly-passing': 0 }, 'smoke and train cases 3 and 4 (holdout does not run without an improvement)');
  const train4 = page.cases.find((c) => c.id === 'train-4')!;
  assert.deepEqual([train4.change, train4.before, train4.after], ['newly-failing', { passed: true, output: 'answer-4' }, { passed: false, output: 'no-idea', feedback: 'case 4 passes once x is above 4' }]);

  const q4 = caseEvidence(store, down, { text: 'Q4' });
  assert.deepEqual(q4.cases.map((c) => `${c.eval}/${c.id}`), ['smoke/smoke-4', 'train/train-4'], 'the filter looks in the evidence, whatever the case');
  assert.equal(q4.total, 2);
  assert.deepEqual(q4.counts, page.counts, 'the counts are before filtering');
  assert.deepEqual(caseEvidence(store, down, { text: 'above 3', eval: 'train' }).cases.map((c) => c.id), ['train-3'], 'feedback is searched, and an eval picked');

  const second = caseEvidence(store, down, { offset: 1, limit: 2 });
  assert.deepEqual([second.offset, second.total, second.cases.map((c) => c.id)], [1, 4, ['smoke-4', 'train-3']]);
  assert.deepEqual(caseEvidence(store, down, { offset: 4, limit: 2 }).cases, [], 'past the end is an empty page');
  assert.deepEqual(caseEvidence(store, down, { change: 'newly-passing' }).total, 0);
});

test('aiai show gives the changed cases in text, newly failing first, a few by default, the rest on request; --json keeps the whole record', async () => {
  const { dir, up, down } = await twoSteps();
  const shown = cli(dir, 'show', down.id, '--cases', '1');
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^cases {6}4 newly failing, 0 newly passing, against the parent ${up.id}$`, 'm'));
  assert.match(shown.stdout, /^✗ smoke\/smoke-3 {2}newly failing\n {4}input {11}\{"question":"q3"\}\n {4}expected {8}answer-3\n {4}before passed {3}answer-3\n {4}after failed {4}no-idea\n {4}feedback {8}case 3 passes once x is above 3$/m);
  assert.match(shown.stdout, /^… 3 more: --cases all \(or --cases N\) shows them, --case-filter TEXT finds some$/m);
  assert.doesNotMatch(shown.stdout, /train-4/);

  const all = cli(dir, 'show', down.id, '--cases', 'all');
  assert.equal((all.stdout.match(/^✗ /gm) ?? []).length, 4);
  assert.doesNotMatch(all.stdout, /more: --cases all/);

  const filtered = cli(dir, 'show', up.id, '--case-filter', 'HOLDOUT-SECRET-q3');
  assert.match(filtered.stdout, /9 newly passing, against the baseline [0-9a-f]{8}; 1 match "HOLDOUT-SECRET-q3"/);
  assert.deepEqual(filtered.stdout.match(/^✓ .*$/gm), ['✓ holdout/HOLDOUT-SECRET-3  newly passing (holdout)']);

  const json = cliJson<{ id: string; evaluation: unknown; cases: Record<string, unknown> }>(dir, 'show', down.id);
  assert.equal(json.id, down.id);
  assert.ok(json.evaluation, 'the whole record, its evaluation included');
  assert.deepEqual(json.cases.train, { newlyPassing: [], newlyFailing: ['train-3', 'train-4'] });

  const bad = cli(dir, 'show', down.id, '--cases', 'some');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected a whole number or "all"/);
});

/** An eval of `n` cases where case i passes when from <= i < to: a candidate may gain some cases and lose others. */
const RANGE_JS = `
const fs = require('fs');
const { n, from, to } = JSON.parse(fs.readFileSync('agent/range.json', 'utf8'));
const cases = Array.from({ length: n }, (_, i) => ({ id: 'c' + i, passed: i >= from && i < to, input: 'q' + i, expected: 'a' + i, output: i >= from && i < to ? 'a' + i : 'wrong' }));
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { passed: (to - from) / n }, cases }));
`;

test('thousands of changed cases, newly failing first: paged and searched in the engine, ten by default in show', async () => {
  const dir = makeRepo({
    'agent/range.json': '{ "n": 3000, "from": 0, "to": 3 }\n',
    'eval/range.js': RANGE_JS,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'train', command: 'node eval/range.js', timeoutSec: 30 }],
      objective: { eval: 'train', metric: 'passed', direction: 'maximize' },
      knobs: [{ file: 'agent/range.json', jsonPointer: '/to', min: 0, max: 3000, step: 1 }],
    }),
    '.aiai/.gitignore': 'runs/\n',
  });
  const step = () => ({ kind: 'proposal' as const, proposal: { title: 'a wider range', rationale: 'more', edits: [{ path: 'agent/range.json', search: '"from": 0, "to": 3', replace: '"from": 3, "to": 2000' }] } });
  const [c] = (await runLoop(dir, { proposer: new ScriptedProposer([step]), signal: new AbortController().signal })).candidates;
  assert.equal(c!.status, 'pending');
  const store = new Store(dir);

  const first = caseEvidence(store, c!, { limit: 5 });
  assert.deepEqual(first.counts, { 'newly-failing': 3, 'newly-passing': 1997 });
  assert.equal(first.total, 2000);
  assert.deepEqual(first.cases.map((k) => `${k.change} ${k.id}`), ['newly-failing c0', 'newly-failing c1', 'newly-failing c2', 'newly-passing c3', 'newly-passing c4']);
  const deep = caseEvidence(store, c!, { offset: 1500, limit: 3 });
  assert.deepEqual(deep.cases.map((k) => [k.id, k.before?.output, k.after.output]), [['c1500', 'wrong', 'a1500'], ['c1501', 'wrong', 'a1501'], ['c1502', 'wrong', 'a1502']]);
  assert.deepEqual(caseEvidence(store, c!, { text: 'q1234' }).cases.map((k) => k.id), ['c1234']);

  const shown = cli(dir, 'show', c!.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual((shown.stdout.match(/^[✗✓] \S+/gm) ?? []).slice(0, 4), ['✗ train/c0', '✗ train/c1', '✗ train/c2', '✓ train/c3']);
  assert.equal((shown.stdout.match(/^[✗✓] /gm) ?? []).length, 10);
  assert.match(shown.stdout, /^… 1990 more: --cases all/m);
});
