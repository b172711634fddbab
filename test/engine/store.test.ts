import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { approve } from '../../src/core/deploy/approve';
import { CANDIDATE_REFS, Git } from '../../src/core/git/git';
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

test("candidate ids are 48 random bits, unlike any record's; a short prefix still names one; no candidate's ref is ever written over", async () => {
  const dir = agentWorkspace();
  const { candidates } = await run(dir, [paramsStep('x to 5', { x: 5 }), paramsStep('x to 6', { x: 6 }), paramsStep('x to 7', { x: 7 })]);
  const ids = candidates.map((c) => c.id);
  for (const id of ids) assert.match(id, /^[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  const store = new Store(dir);
  const fresh = Array.from({ length: 200 }, () => store.newCandidateId());
  assert.equal(new Set([...ids, ...fresh]).size, ids.length + fresh.length, 'a new id is never one a record has');

  const shown = cli(dir, 'show', ids[0]!.slice(0, 6));
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(ids[0]!));

  // What the loop does for each new candidate's ref: create it, or fail, never move it.
  const kept = refOf(dir, ids[0]!);
  await assert.rejects((await Git.open(dir)).updateRef(`${CANDIDATE_REFS}/${ids[0]}`, candidates[1]!.commit!, 'absent'), /update-ref failed: .*(already exists|reference already exists)/);
  assert.equal(refOf(dir, ids[0]!), kept);
});

test('a candidate whose parent record is damaged is still shown, its lineage saying the parent cannot be read', async () => {
  const dir = agentWorkspace();
  const { run: made, candidates } = await run(dir, [paramsStep('x to 5', { x: 5 }), paramsStep('x to 6', { x: 6 })]);
  const [parent, child] = candidates;
  assert.equal(child!.parent.id, parent!.id);
  const file = path.join(new Store(dir).runDir(made.id), 'candidates', `${parent!.id}.json`);
  writeFileSync(file, '{"id": "trunc');

  const shown = cli(dir, 'show', child!.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^candidate ${child!.id}: x to 6$`, 'm'));
  assert.match(shown.stdout, new RegExp(`^lineage {4}\\? → ${parent!.id} → ${child!.id}\\n {11}the record of candidate ${parent!.id} cannot be read \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\); it is kept as it is$`, 'm'));
  assert.match(shown.stdout, /^\+ {2}"x": 6$/m, 'its diff is shown');
});

test("a run leaves another process's evaluation temp folders alone and does not call them its own earlier run's", async () => {
  // A folder as another checkout's loop, since dead, would have left it.
  const gone = spawnSync('true').pid!;
  const theirs = mkdtempSync(path.join(os.tmpdir(), `aiai-eval-${gone}-tmp-`));
  const dir = agentWorkspace();
  const notices: string[] = [];
  await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 5', { x: 5 })]), signal: new AbortController().signal, onEvent: (e) => e.type === 'notice' && notices.push(e.message) });
  assert.deepEqual(notices.filter((m) => /cleaned up|earlier run/.test(m)), [], 'nothing of this workspace was left to clean');
  assert.ok(existsSync(theirs), "the other process's folder is kept, for its own checkout to clean");
  rmSync(theirs, { recursive: true });
});
