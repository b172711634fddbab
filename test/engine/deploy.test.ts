import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { approve } from '../../src/core/deploy/approve';
import { reject } from '../../src/core/deploy/reject';
import { rollback } from '../../src/core/deploy/rollback';
import { runLoop } from '../../src/core/loop/loop';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, paramsStep, proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { blockingHook, killDuringApproval, pendingCandidate } from '../fixtures/deployment';
import { cli, cliJson, cliProcess, cliWithEnv, commitAll, exited, git, tempDir, waitForFile } from '../helpers';

const BY = { by: 'person via test' };

const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');

test('approve commits the candidate on the branch with its trailers, and keeps unrelated uncommitted work', async () => {
  const { dir, candidates } = await pendingCandidate();
  const head = git(dir, 'rev-parse', 'HEAD');
  appendFileSync(path.join(dir, 'agent', 'prompt.md'), 'my unfinished thought\n');
  writeFileSync(path.join(dir, 'scratch.txt'), 'untracked notes\n');

  const { commit } = await approve(dir, candidates[0]!.id, BY);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), commit);
  assert.equal(git(dir, 'rev-parse', 'HEAD~1'), head);
  assert.equal(git(dir, 'log', '-1', '--format=%an'), 'Test Developer');
  assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), candidates[0]!.id);
  assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Metrics,valueonly)'), 'score 0.2 -> 0.6');
  assert.match(read(dir, 'agent/params.json'), /"x": 6/);
  assert.match(read(dir, 'agent/prompt.md'), /my unfinished thought/);
  assert.equal(read(dir, 'scratch.txt'), 'untracked notes\n');
  assert.equal(new Store(dir).candidate(candidates[0]!.id).decision?.by, 'person via test');
});

test('approve refuses while a file the candidate changes has uncommitted edits, and loses nothing', async () => {
  const { dir, candidates } = await pendingCandidate();
  const head = git(dir, 'rev-parse', 'HEAD');
  appendFileSync(path.join(dir, 'agent', 'params.json'), '\n');
  const edited = read(dir, 'agent/params.json');
  await assert.rejects(approve(dir, candidates[0]!.id, BY), /refusing to approve: the files this candidate changes have uncommitted changes \(agent\/params\.json\)/);
  assert.equal(read(dir, 'agent/params.json'), edited);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
  assert.equal(new Store(dir).candidate(candidates[0]!.id).status, 'pending');
});

test('once the branch moved, approve refuses what was never graded; derive grades the change on the current version, and that approves', async () => {
  const { dir, candidates } = await pendingCandidate([
    paramsStep('raise x', { x: 6 }),
    () => proposal('reword', [{ path: 'agent/prompt.md', search: 'helpful', replace: 'careful' }]),
  ]);
  const [params, prompt] = candidates;
  assert.equal(prompt!.status, 'rejected', 'a prompt edit that scores the same is not an improvement');

  appendFileSync(path.join(dir, 'agent', 'prompt.md'), 'A line added by the developer.\n');
  const moved = commitAll(dir, 'developer work');
  await assert.rejects(
    approve(dir, params!.id, BY),
    new RegExp(`the branch moved since candidate ${params!.id} was graded .* so what approving it would commit has never been graded; nothing was applied\\. Grade its change on the current version \\(\`aiai derive ${params!.id}\``),
  );
  assert.equal(git(dir, 'rev-parse', 'HEAD'), moved);
  const derived = cliJson<{ candidate: { id: string; status: string } }>(dir, 'derive', params!.id);
  assert.equal(derived.candidate.status, 'pending');
  const { commit } = await approve(dir, derived.candidate.id, BY);
  assert.equal(git(dir, 'rev-parse', 'HEAD~1'), moved);
  assert.match(read(dir, 'agent/params.json'), /"x": 6/);
  assert.match(read(dir, 'agent/prompt.md'), /A line added by the developer/);
  assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Metrics,valueonly)'), 'score 0.2 -> 0.6', 'both sides measured on the trees they name');

  // A second candidate from the same run changes the same line the approval did.
  writeFileSync(path.join(dir, 'agent', 'params.json'), '{ "x": 3 }\n');
  const conflicting = commitAll(dir, 'developer retunes x');
  const again = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 9', { x: 9 })]), signal: new AbortController().signal });
  writeFileSync(path.join(dir, 'agent', 'params.json'), '{ "x": 4 }\n');
  const last = commitAll(dir, 'developer retunes x again');
  await assert.rejects(approve(dir, again.candidates[0]!.id, BY), /HEAD moved since candidate [0-9a-f]+ was made .* no longer applies cleanly; nothing was applied/);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), last);
  assert.notEqual(commit, conflicting);
});

test('approve checks the content hash: a changed candidate ref or a different reviewed hash is refused', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]);
  const [a, b] = candidates;
  await assert.rejects(approve(dir, b!.id, { ...BY, contentHash: a!.contentHash! }), /has content hash [0-9a-f]+, not the reviewed [0-9a-f]+; nothing was applied/);
  git(dir, 'update-ref', `refs/aiai/candidates/${a!.id}`, b!.commit!);
  await assert.rejects(approve(dir, a!.id, BY), /no longer matches what was evaluated/);
  const { commit } = await approve(dir, b!.id, { ...BY, contentHash: b!.contentHash! });
  assert.equal(git(dir, 'rev-parse', 'HEAD'), commit);
});

test('only a pending candidate can be approved or rejected; a detached HEAD is refused', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 }), paramsStep('c', { x: 1 })]);
  const [a, b, c] = candidates;
  await assert.rejects(approve(dir, c!.id, BY), /is rejected \(no improvement: score 0\.7 → 0\.1\); only a pending candidate can be approved/);
  const rejected = await reject(dir, a!.id, { ...BY, reason: 'prefer b' });
  assert.equal(rejected.status, 'rejected');
  assert.equal(new Store(dir).candidate(a!.id).decision?.reason, 'prefer b');
  await assert.rejects(approve(dir, a!.id, BY), /is rejected/);
  git(dir, 'checkout', '-q', '--detach');
  await assert.rejects(approve(dir, b!.id, BY), /HEAD is detached; check out a branch before you approve/);
});

test('approving a candidate whose parent was approved first applies only what is new', async () => {
  const { dir, candidates } = await pendingCandidate([
    paramsStep('x to 5', { x: 5 }),
    async (request) => proposal('x to 7 and reword', [
      { path: 'agent/params.json', search: (await request.readFile(request.parent.commit, 'agent/params.json'))!, replace: '{ "x": 7 }\n' },
      { path: 'agent/prompt.md', search: 'helpful', replace: 'precise' },
    ]),
  ]);
  const [parent, child] = candidates;
  assert.equal(child!.parent.id, parent!.id);
  await approve(dir, parent!.id, BY);
  await approve(dir, child!.id, BY);
  assert.equal(read(dir, 'agent/params.json'), '{ "x": 7 }\n');
  assert.match(read(dir, 'agent/prompt.md'), /precise/);
  assert.equal(git(dir, 'rev-list', '--count', 'HEAD'), '3');
});

test('rollback accepts a commit of the branch, restores editable files only, and does nothing when they already match', async () => {
  const { dir, candidates } = await pendingCandidate();
  const baseline = git(dir, 'rev-parse', 'HEAD');
  await approve(dir, candidates[0]!.id, BY);
  writeFileSync(path.join(dir, 'eval', 'notes.md'), 'not editable\n');
  commitAll(dir, 'notes beside the eval');

  const result = await rollback(dir, baseline, BY);
  assert.ok(result.commit);
  assert.equal(read(dir, 'agent/params.json'), git(dir, 'show', `${baseline}:agent/params.json`) + '\n');
  assert.equal(read(dir, 'eval/notes.md'), 'not editable\n', 'files outside the editable globs are kept');
  const none = await rollback(dir, baseline, BY);
  assert.equal(none.commit, undefined);
  await assert.rejects(rollback(dir, 'v9', BY), /no version "v9"/);
});

test('a kill -9 after the branch moved but before the records: the next deploy settles the approval', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]);
  const [a, b] = candidates;
  const marker = path.join(tempDir(), 'hook.pid');
  blockingHook(dir, 'post-merge', marker);
  await killDuringApproval(dir, a!.id, marker);
  rmSync(path.join(dir, '.git', 'hooks', 'post-merge'));
  assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), a!.id, 'the branch moved');
  assert.equal(new Store(dir).candidate(a!.id).status, 'pending', 'the records did not follow yet');

  const next = cli(dir, 'reject', b!.id);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /finished recording an interrupted approve/);
  assert.equal(new Store(dir).candidate(a!.id).status, 'approved');
  assert.match(readFileSync(path.join(dir, '.aiai', 'audit.jsonl'), 'utf8'), new RegExp(`"event":"approval","by":"person via cli","candidate":"${a!.id}"`));
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('a kill -9 after the branch moved: the next deploy also supersedes what the approval made no longer worth applying', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]);
  const [a, b] = candidates;
  const [sibling] = (await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 5', { x: 5 })]), signal: new AbortController().signal })).candidates;
  const marker = path.join(tempDir(), 'hook.pid');
  blockingHook(dir, 'post-merge', marker);
  await killDuringApproval(dir, b!.id, marker);
  rmSync(path.join(dir, '.git', 'hooks', 'post-merge'));
  assert.equal(new Store(dir).candidate(a!.id).status, 'pending', 'the records did not follow yet');

  const next = cli(dir, 'reject', sibling!.id);
  assert.match(next.stderr, /finished recording an interrupted approve/);
  assert.equal(next.code, 1);
  assert.match(next.stderr, new RegExp(`candidate ${sibling!.id} is superseded; only a pending candidate can be rejected`));
  const store = new Store(dir);
  assert.deepEqual([a, sibling].map((c) => store.candidate(c!.id).decision?.supersededBy), [b!.id, b!.id]);
  assert.equal(store.candidate(b!.id).status, 'approved');
});

test('a kill -9 before the branch moved: the next deploy lands the approval the person asked for', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]);
  const [a, b] = candidates;
  const head = git(dir, 'rev-parse', 'HEAD');
  const marker = path.join(tempDir(), 'hook.pid');
  blockingHook(dir, 'reference-transaction', marker, '[ "$1" = prepared ] && grep -q refs/heads/main');
  await killDuringApproval(dir, a!.id, marker);
  rmSync(path.join(dir, '.git', 'hooks', 'reference-transaction'));
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head, 'the branch did not move');

  const next = cli(dir, 'reject', b!.id);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /completed an interrupted approve/);
  assert.equal(git(dir, 'rev-parse', 'HEAD~1'), head);
  assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), a!.id);
  assert.equal(new Store(dir).candidate(a!.id).status, 'approved');
  assert.match(read(dir, 'agent/params.json'), /"x": 6/);
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('a kill -9 in the middle of a rollback: the next deploy settles it', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]);
  const baseline = git(dir, 'rev-parse', 'HEAD');
  await approve(dir, candidates[0]!.id, BY);
  const marker = path.join(tempDir(), 'hook.pid');
  blockingHook(dir, 'post-merge', marker);
  const child = cliProcess(dir, 'rollback', 'v0');
  await waitForFile(marker);
  child.kill('SIGKILL');
  await exited(child);
  process.kill(Number(readFileSync(marker, 'utf8')), 'SIGKILL');
  rmSync(path.join(dir, '.git', 'hooks', 'post-merge'));
  assert.match(git(dir, 'log', '-1', '--format=%B'), new RegExp(`^Aiai-Rollback: v0 ${baseline}$`, 'm'), 'the branch moved');

  const next = cli(dir, 'reject', candidates[1]!.id);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /finished recording an interrupted rollback/);
  assert.match(readFileSync(path.join(dir, '.aiai', 'audit.jsonl'), 'utf8'), /"event":"rollback","by":"person via cli"/);
  assert.equal(read(dir, 'agent/params.json'), git(dir, 'show', `${baseline}:agent/params.json`) + '\n');
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('approve honours the identity in GIT_AUTHOR_* and GIT_COMMITTER_*, as git commit does', async () => {
  const { dir, candidates } = await pendingCandidate();
  const env = { GIT_AUTHOR_NAME: 'Ada Reviewer', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Build Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' };
  const approved = cliWithEnv(env, dir, 'approve', candidates[0]!.id);
  assert.equal(approved.code, 0, approved.stderr);
  assert.equal(git(dir, 'log', '-1', '--format=%an <%ae> / %cn <%ce>'), 'Ada Reviewer <ada@example.com> / Build Bot <bot@example.com>');
});

test('approve signs its commit when the developer\'s git config asks for signed commits', async () => {
  const { dir, candidates } = await pendingCandidate();
  const signer = path.join(tempDir(), 'fake-gpg');
  // A stand-in for gpg that answers as gpg does: a detached signature, and its status line.
  writeFileSync(signer, "#!/bin/sh\ncat >/dev/null\nprintf -- '-----BEGIN PGP SIGNATURE-----\\n\\nZmFrZQ==\\n-----END PGP SIGNATURE-----\\n'\necho '[GNUPG:] SIG_CREATED D 1 8 00 1 FAKE' >&2\n");
  chmodSync(signer, 0o755);
  git(dir, 'config', 'commit.gpgsign', 'true');
  git(dir, 'config', 'gpg.program', signer);
  await approve(dir, candidates[0]!.id, BY);
  assert.match(git(dir, 'cat-file', '-p', 'HEAD'), /^gpgsig -----BEGIN PGP SIGNATURE-----$/m);

  const second = await pendingCandidate();
  git(second.dir, 'config', 'commit.gpgsign', 'true');
  git(second.dir, 'config', 'gpg.program', '/bin/false');
  const head = git(second.dir, 'rev-parse', 'HEAD');
  await assert.rejects(approve(second.dir, second.candidates[0]!.id, BY), /your git config asks for signed commits \(commit\.gpgsign\), and signing failed; nothing was applied/);
  assert.equal(git(second.dir, 'rev-parse', 'HEAD'), head);
  assert.equal(new Store(second.dir).candidate(second.candidates[0]!.id).status, 'pending');
});

test('an approval interrupted after the branch moved stays out of git status, and is recorded even after the developer commits on top', async () => {
  // A workspace where `aiai init` never wrote .aiai/.gitignore.
  const dir = agentWorkspace();
  git(dir, 'rm', '-q', '.aiai/.gitignore');
  git(dir, 'commit', '-q', '-m', 'no aiai ignore file');
  const [a, b] = (await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]), signal: new AbortController().signal })).candidates;
  const marker = path.join(tempDir(), 'hook.pid');
  blockingHook(dir, 'post-merge', marker);
  await killDuringApproval(dir, a!.id, marker);
  rmSync(path.join(dir, '.git', 'hooks', 'post-merge'));
  assert.equal(git(dir, 'status', '--porcelain'), '', 'neither the journal nor the records show in git status');

  writeFileSync(path.join(dir, 'notes.md'), 'my own work\n');
  commitAll(dir, 'the developer commits on top');
  const refused = cli(dir, 'reject', a!.id);
  assert.notEqual(refused.code, 0, 'a deployed candidate cannot be rejected');
  assert.match(refused.stderr, /finished recording an interrupted approve/);
  assert.match(refused.stderr, new RegExp(`candidate ${a!.id} is approved`));
  assert.equal(new Store(dir).candidate(a!.id).status, 'approved');
  assert.match(readFileSync(path.join(dir, '.aiai', 'audit.jsonl'), 'utf8'), new RegExp(`"event":"approval","by":"person via cli","candidate":"${a!.id}"`));
  assert.equal(new Store(dir).candidate(b!.id).status, 'pending');
});

test('a deploy journal that is {} or garbage is set aside, and approve goes on', async () => {
  for (const garbage of ['{}', 'not json at all']) {
    const { dir, candidates } = await pendingCandidate();
    writeFileSync(path.join(dir, '.aiai', 'deploy-journal.json'), garbage);
    const approved = cli(dir, 'approve', candidates[0]!.id);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stderr, /set aside a deploy journal that could not be read \(.*deploy-journal\.json\.damaged-\d+\); nothing was done with it/);
    assert.equal(new Store(dir).candidate(candidates[0]!.id).status, 'approved');
    assert.equal(git(dir, 'status', '--porcelain'), '');
  }
});

test('approving a candidate whose parent was never approved describes the whole change against the branch', async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('x to 5', { x: 5 }), paramsStep('x to 7', { x: 7 })]);
  const [parent, child] = candidates;
  assert.equal(child!.parent.id, parent!.id, 'the child grew from the unapproved parent');
  await approve(dir, child!.id, BY);
  assert.equal(git(dir, 'log', '-1', '--format=%s'), 'aiai: x 2 → 7 (2 steps)', "the knob's move from the branch's value, not the last step's");
  const body = git(dir, 'log', '-1', '--format=%b');
  assert.match(body, new RegExp(`Steps since the version it replaces:\\n- x to 5 \\(${parent!.id}\\)\\n- x to 7 \\(${child!.id}\\)`));
  assert.match(body, /^Files: agent\/params\.json$/m);
  assert.match(body, /^Knobs: x 2 → 7$/m, 'the knob from the branch\'s value, not the parent\'s');
  assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Metrics,valueonly)'), 'score 0.2 -> 0.7', 'from the metric of the version it replaces');
});

test('approve with a repository git cannot write says so, not that HEAD moved, and changes nothing', async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test mounts .git/objects read-only, which takes root (as npm test runs); a chmod does not stop root');
  const { dir, candidates } = await pendingCandidate();
  const head = git(dir, 'rev-parse', 'HEAD');
  const objects = path.join(dir, '.git', 'objects');
  execFileSync('mount', ['--bind', objects, objects]);
  t.after(() => execFileSync('umount', ['--lazy', objects]));
  execFileSync('mount', ['-o', 'remount,bind,ro', objects]);

  await assert.rejects(approve(dir, candidates[0]!.id, BY), (error: Error) => {
    assert.doesNotMatch(error.message, /HEAD moved|no longer applies/);
    assert.match(error.message, /^git could not merge [0-9a-f]{8} onto [0-9a-f]{8}: .*Read-only file system/s);
    return true;
  });
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
  assert.equal(git(dir, 'status', '--porcelain'), '');
  assert.equal(new Store(dir).candidate(candidates[0]!.id).status, 'pending');
});
