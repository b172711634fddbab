import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/core/config/config';
import { approve } from '../../src/core/deploy/approve';
import { rollback } from '../../src/core/deploy/rollback';
import { Git } from '../../src/core/git/git';
import { runLoop } from '../../src/core/loop/loop';
import { Store } from '../../src/core/record/store';
import { compare, comparedCases } from '../../src/core/review/compare';
import type { CompareRef } from '../../src/shared/compare';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { git } from '../helpers';

/*
 * Compare with…: two candidates, or a candidate and a version of the branch, side by
 * side: their metrics, the cases that pass on one and fail on the other with their
 * evidence, and the diff of the editable files, as the review panel shows them.
 */

const BY = { by: 'person via test' };

/** x to 7 from the baseline (0.2 → 0.7), then x to 4 from it (worse: cases 4–6 fail again). */
async function twoCandidates() {
  const dir = agentWorkspace();
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 7', { x: 7 }), paramsStep('x to 4', { x: 4 })]), signal: new AbortController().signal });
  const [seven, four] = summary.candidates;
  assert.equal(four!.parent.id, seven!.id);
  const open = async () => ({ git: await Git.open(dir), store: new Store(dir), config: loadConfig(dir) });
  return { dir, seven: seven!, four: four!, open };
}

const candidate = (id: string): CompareRef => ({ kind: 'candidate', id });
const version = (commit: string): CompareRef => ({ kind: 'version', commit });

test('two candidates: every metric on both sides with B − A, the cases that differ with their evidence, and the diff from A to B', async () => {
  const { seven, four, open } = await twoCandidates();
  const { git: g, store, config } = await open();
  const c = await compare(g, store, config, candidate(seven.id), candidate(four.id.slice(0, 5)));
  assert.deepEqual([c.a.name, c.a.title, c.a.detail, c.a.objective], [`candidate ${seven.id}`, 'x to 7', 'pending', 0.7]);
  assert.deepEqual([c.b.ref, c.b.detail, c.b.objective], [candidate(four.id), 'rejected', 0.4], 'a prefix is resolved to the whole id');
  const train = c.metrics.find((m) => m.eval === 'train' && m.metric === 'score');
  assert.deepEqual(train, { eval: 'train', kind: 'train', metric: 'score', statusA: 'passed', statusB: 'passed', a: 0.7, b: 0.4, delta: -0.3, better: false, objective: true });
  const holdout = c.metrics.filter((m) => m.eval === 'holdout');
  assert.deepEqual(
    holdout.map((m) => [m.metric, m.statusA, m.statusB, m.a, m.b, m.delta]),
    [['score', 'passed', null, 0.7, null, null], ['holdout_only_metric', 'passed', null, 1, null, null]],
    'holdout ran only for the candidate that improved: B has no value there',
  );
  assert.equal(c.metrics.find((m) => m.eval === 'smoke')?.kind, 'gate');
  assert.equal(c.metrics.find((m) => m.eval === 'smoke')?.better, null, 'only the objective says better or worse');

  assert.deepEqual(c.cases.counts, { 'passes-in-a': 6, 'passes-in-b': 0 }, 'smoke and train cases 4, 5 and 6; holdout did not run on B');
  assert.deepEqual(c.cases.cases.find((k) => k.id === 'train-5'), {
    eval: 'train',
    holdout: false,
    change: 'passes-in-a',
    id: 'train-5',
    input: '{"question":"q5"}',
    expected: 'answer-5',
    a: { passed: true, output: 'answer-5' },
    b: { passed: false, output: 'no-idea', feedback: 'case 5 passes once x is above 5' },
  });
  assert.deepEqual(c.changedPaths, ['agent/params.json']);
  assert.match(c.diff, /^-  "x": 7$/m);
  assert.match(c.diff, /^\+  "x": 4$/m);

  const q5 = await comparedCases(g, store, config, candidate(seven.id), candidate(four.id), { text: 'Q5' });
  assert.deepEqual(q5.cases.map((k) => `${k.eval}/${k.id}`), ['smoke/smoke-5', 'train/train-5'], 'the filter looks in the evidence, whatever the case');
  assert.deepEqual([q5.total, q5.counts], [2, c.cases.counts], 'the counts are before filtering');
  const second = await comparedCases(g, store, config, candidate(seven.id), candidate(four.id), { offset: 2, limit: 2 });
  assert.deepEqual([second.offset, second.total, second.cases.map((k) => k.id)], [2, 6, ['smoke-6', 'train-4']]);

  const reversed = await compare(g, store, config, candidate(four.id), candidate(seven.id));
  assert.deepEqual(reversed.cases.counts, { 'passes-in-a': 0, 'passes-in-b': 6 });
  assert.equal(reversed.metrics.find((m) => m.objective)?.better, true, 'B is better on the objective');
});

test('a candidate and a version: the baseline as its run measured it, an approval as its candidate was, a rollback as the version it restored', async () => {
  const { dir, seven, four, open } = await twoCandidates();
  const baseline = git(dir, 'rev-parse', 'HEAD');
  let { git: g, store, config } = await open();

  const vsBaseline = await compare(g, store, config, version(baseline), candidate(seven.id));
  assert.deepEqual([vsBaseline.a.name, vsBaseline.a.detail, vsBaseline.a.title, vsBaseline.a.objective], [`v0 (${baseline.slice(0, 8)})`, 'baseline', 'the agent', 0.2]);
  assert.equal(vsBaseline.a.missing, undefined);
  assert.deepEqual(vsBaseline.metrics.find((m) => m.objective), { eval: 'train', kind: 'train', metric: 'score', statusA: 'passed', statusB: 'passed', a: 0.2, b: 0.7, delta: 0.5, better: true, objective: true });
  assert.deepEqual(vsBaseline.cases.cases.filter((k) => k.eval === 'train').map((k) => [k.id, k.change, k.a.output, k.b.output]), [
    ['train-2', 'passes-in-b', 'no-idea', 'answer-2'],
    ['train-3', 'passes-in-b', 'no-idea', 'answer-3'],
    ['train-4', 'passes-in-b', 'no-idea', 'answer-4'],
    ['train-5', 'passes-in-b', 'no-idea', 'answer-5'],
    ['train-6', 'passes-in-b', 'no-idea', 'answer-6'],
  ]);
  assert.deepEqual(vsBaseline.changedPaths, ['agent/params.json']);
  assert.deepEqual((await compare(g, store, config, version(baseline.slice(0, 7)), candidate(seven.id))).a.ref, version(baseline), 'a version by its short commit');

  await approve(dir, seven.id, BY);
  const v1 = git(dir, 'rev-parse', 'HEAD');
  ({ git: g, store, config } = await open());
  const vsApproval = await compare(g, store, config, candidate(four.id), version(v1));
  assert.deepEqual([vsApproval.b.name, vsApproval.b.detail, vsApproval.b.title, vsApproval.b.objective], [`v1 (${v1.slice(0, 8)})`, 'approval', 'aiai: x to 7', 0.7], 'no run started from v1: its candidate\'s evaluation');
  assert.deepEqual(vsApproval.cases.counts, { 'passes-in-a': 0, 'passes-in-b': 6 }, 'smoke and train: only the evals both sides ran');
  assert.equal(vsApproval.metrics.find((m) => m.eval === 'holdout')?.b, 0.7, 'v1 has the holdout result its candidate earned');

  await rollback(dir, baseline, BY);
  const v2 = git(dir, 'rev-parse', 'HEAD');
  ({ git: g, store, config } = await open());
  const vsRollback = await compare(g, store, config, version(v2), version(v1));
  assert.deepEqual([vsRollback.a.name, vsRollback.a.detail, vsRollback.a.objective], [`v2 (${v2.slice(0, 8)})`, 'rollback', 0.2], 'a rollback measures as the version it restored');
  assert.deepEqual(vsRollback.changedPaths, ['agent/params.json']);
});

test('what cannot be compared is said: a commit that is no version, a candidate that is unknown, a side that was never evaluated', async () => {
  const { seven, open } = await twoCandidates();
  const { git: g, store, config } = await open();
  await assert.rejects(compare(g, store, config, version('deadbeef'), candidate(seven.id)), /deadbeef is not a version of the checked-out branch; `aiai versions` lists them/);
  await assert.rejects(compare(g, store, config, candidate('ffffffff'), candidate(seven.id)), /no candidate "ffffffff"/);

  const unevaluated = { ...store.candidate(seven.id), id: 'abcdef01', status: 'failed' as const, reason: 'the proposal did not apply' };
  delete unevaluated.evaluation;
  delete unevaluated.commit;
  store.saveCandidate(unevaluated);
  const c = await compare(g, store, config, candidate('abcdef01'), candidate(seven.id));
  assert.equal(c.a.missing, 'candidate abcdef01 was not evaluated (the proposal did not apply)');
  assert.deepEqual([c.a.commit, c.a.objective, c.changedPaths, c.diff, c.cases.total], [null, null, [], '', 0]);
  assert.ok(c.metrics.every((m) => m.a === null && m.statusA === null), 'B\'s metrics, with nothing beside them');
});
