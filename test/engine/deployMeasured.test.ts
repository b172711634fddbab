import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { approve } from '../../src/core/deploy/approve';
import { reject } from '../../src/core/deploy/reject';
import { rollback } from '../../src/core/deploy/rollback';
import { listVersions } from '../../src/core/review/versions';
import { loadConfig } from '../../src/core/config/config';
import { Git } from '../../src/core/git/git';
import { Store } from '../../src/core/record/store';
import { paramsStep, proposal } from '../fixtures/agentWorkspace';
import { pendingCandidate } from '../fixtures/deployment';
import { cliJson, git } from '../helpers';

/* The deploy power writes only what a person approved, and only scores an evaluation measured. */

const BY = { by: 'person via test' };

test('a step a person rejected is never deployed through its child; the child\'s own step can be graded alone and approved', async () => {
  const { dir, candidates } = await pendingCandidate([
    paramsStep('x to 5', { x: 5 }),
    () => proposal('x to 7 and reword', [{ path: 'agent/params.json', search: '"x": 5', replace: '"x": 7' }, { path: 'agent/prompt.md', search: 'helpful', replace: 'precise' }]),
  ]);
  const [parent, child] = candidates;
  assert.equal(child!.parent.id, parent!.id);
  await reject(dir, parent!.id, { ...BY, reason: 'x must stay small' });
  const head = git(dir, 'rev-parse', 'HEAD');
  await assert.rejects(
    approve(dir, child!.id, BY),
    new RegExp(
      `candidate ${child!.id} grew from ${parent!.id} \\("x to 5"\\), which person via test rejected \\(x must stay small\\): approving ${child!.id} would deploy that change too, so nothing was applied\\. ` +
        `To keep only ${child!.id}'s own step, grade it on the current version: \`aiai derive ${child!.id} --own-step\``,
    ),
  );
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head);

  // Its own step moved x from the rejected 5, which the branch never had: keep its reword alone.
  const own = cliJson<{ candidate: { id: string; status: string } }>(dir, 'derive', child!.id, '--own-step', '--only', 'agent/prompt.md');
  await approve(dir, own.candidate.id, BY);
  assert.match(readFileSync(path.join(dir, 'agent/prompt.md'), 'utf8'), /precise/);
  assert.match(readFileSync(path.join(dir, 'agent/params.json'), 'utf8'), /"x": 2/, "the rejected step's change is not on the branch");
});

test('after a rollback, a candidate graded on the version rolled away is not applied, and no version shows a score nobody measured', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('x to 5', { x: 5 }), paramsStep('x to 7', { x: 7 })]);
  const [first, second] = candidates;
  await approve(dir, first!.id, BY);
  await rollback(dir, 'v0', BY);
  // The second grew from the first, which the branch no longer holds: nothing it would commit was graded.
  await assert.rejects(approve(dir, second!.id, BY), /nothing was applied/);

  const git2 = await Git.open(dir);
  const versions = await listVersions(git2, new Store(dir), loadConfig(dir));
  assert.deepEqual(versions.map((v) => [v.version, v.kind, v.metrics?.score ?? null]), [
    ['v2', 'rollback', 0.2],
    ['v1', 'approval', 0.5],
    ['v0', 'baseline', 0.2],
  ]);

  // A rollback whose tree is not the restored version's (a file outside the editable globs changed since) shows no score.
  writeFileSync(path.join(dir, 'eval', 'notes.md'), 'the grader changed\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'notes beside the grader');
  await rollback(dir, 'v1', BY);
  const [latest] = await listVersions(git2, new Store(dir), loadConfig(dir));
  assert.deepEqual([latest!.kind, latest!.metrics], ['rollback', null]);
});

test("an approval never replaces a file of the person's that git ignores", async () => {
  const { dir, candidates } = await pendingCandidate([
    () => proposal('local settings', [{ path: 'agent/secrets.local', search: '', replace: 'MODEL=cheap\n' }, { path: 'agent/params.json', search: '"x": 2', replace: '"x": 6' }]),
  ]);
  const [c] = candidates;
  writeFileSync(path.join(dir, '.gitignore'), 'agent/secrets.local\n', { flag: 'a' });
  git(dir, 'add', '.gitignore');
  git(dir, 'commit', '-q', '-m', 'ignore local secrets');
  // The branch moved: grade the change again on it, as approve asks.
  const again = cliJson<{ candidate: { id: string } }>(dir, 'derive', c!.id);
  writeFileSync(path.join(dir, 'agent', 'secrets.local'), 'API_KEY=mine\n');
  const head = git(dir, 'rev-parse', 'HEAD');
  await assert.rejects(approve(dir, again.candidate.id, BY), /refusing to approve: the candidate creates agent\/secrets\.local, which your working tree holds and git does not track \(ignored, or not added\); approving would replace your file/);
  assert.equal(readFileSync(path.join(dir, 'agent', 'secrets.local'), 'utf8'), 'API_KEY=mine\n');
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
});
