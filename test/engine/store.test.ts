import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { approve } from '../../src/core/deploy/approve';
import { CANDIDATE_REFS } from '../../src/core/git/git';
import { runLoop } from '../../src/core/loop/loop';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cli, git, tempDir } from '../helpers';

/* The store over time: damaged records, and two checkouts of one repository. */

const run = (dir: string, steps: ReturnType<typeof paramsStep>[]) => runLoop(dir, { proposer: new ScriptedProposer(steps), signal: new AbortController().signal });

const refOf = (dir: string, id: string): string => git(dir, 'for-each-ref', '--format=%(objectname)', `${CANDIDATE_REFS}/${id}`);

test('a damaged record is listed as damaged with its file, and the next run keeps its ref', async () => {
  const dir = agentWorkspace();
  const first = await run(dir, [paramsStep('x to 5', { x: 5 }), paramsStep('x to 6', { x: 6 })]);
  const [kept, broken] = first.candidates;
  const store = new Store(dir);
  const file = path.join(store.runDir(first.run.id), 'candidates', `${broken!.id}.json`);
  writeFileSync(file, '{"id": "trunc');
  assert.deepEqual(store.summaries().damaged, [{ file, id: broken!.id }]);
  assert.deepEqual(store.candidates().map((c) => c.id), [kept!.id]);
  const listed = cli(dir, 'list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^${broken!.id} {2}damaged {5}the record ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read; its ref is kept$`, 'm'));
  const ref = refOf(dir, broken!.id);
  assert.equal(ref, broken!.commit);

  await run(dir, [paramsStep('x to 7', { x: 7 })]);
  assert.equal(refOf(dir, broken!.id), ref, 'the ref of a damaged record survives the next run');
  assert.equal(refOf(dir, kept!.id), kept!.commit);
});

test('two linked worktrees of one repository run side by side without touching each other\'s candidates', async () => {
  const main = agentWorkspace();
  const linked = path.join(tempDir(), 'linked');
  git(main, 'worktree', 'add', '-q', '-b', 'experiment', linked);
  const first = await run(main, [paramsStep('x to 5 in main', { x: 5 })]);
  const mine = first.candidates[0]!;

  const [inMain, inLinked] = await Promise.all([run(main, [paramsStep('x to 6 in main', { x: 6 })]), run(linked, [paramsStep('x to 7 in linked', { x: 7 })])]);
  assert.deepEqual([inMain.run.state, inLinked.run.state], ['finished', 'finished']);
  assert.deepEqual([inMain.candidates[0]?.status, inLinked.candidates[0]?.status], ['pending', 'pending']);
  assert.equal(refOf(main, mine.id), mine.commit, 'the linked checkout\'s run left the main one\'s refs alone');

  const approved = await approve(main, mine.id, { by: 'person via test' });
  assert.equal(git(main, 'rev-parse', 'HEAD'), approved.commit);
  const other = await approve(linked, inLinked.candidates[0]!.id, { by: 'person via test' });
  assert.equal(git(linked, 'rev-parse', 'HEAD'), other.commit);
});
