import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Store } from '../../src/core/record/store';
import { paramsStep } from '../fixtures/agentWorkspace';
import { blockingHook, killDuringApproval, pendingCandidate } from '../fixtures/deployment';
import { cli, cliProcess, exited, git, tempDir, waitForFile } from '../helpers';

/*
 * The deploy power under contention: two front ends (two terminals, the CLI and the
 * extension) acting at the same moment leave the branch, the index and the records
 * agreeing, and deploy nothing a person did not approve.
 */

const TRIALS = 4;

/** Runs two CLI commands at the same moment; their exit codes and stderr. */
async function together(dir: string, first: string[], second: string[]): Promise<Array<{ code: number | null; stderr: string }>> {
  const children = [cliProcess(dir, ...first), cliProcess(dir, ...second)];
  const stderr = children.map((child) => {
    let text = '';
    child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    return () => text;
  });
  const codes = await Promise.all(children.map(exited));
  return codes.map((code, i) => ({ code, stderr: stderr[i]!() }));
}

const trailer = (dir: string): string => git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)');
/** The decisions the audit log records, in order: approvals and rejections, with their candidates. */
const decisions = (dir: string): string[] =>
  readFileSync(path.join(dir, '.aiai', 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; candidate?: string })
    .filter((e) => e.event === 'approval' || e.event === 'rejection')
    .map((e) => `${e.event} ${e.candidate}`);
/** The candidates approved on the branch, oldest first, by their commits' trailers. */
const onBranch = (dir: string): string[] => git(dir, 'log', '--reverse', '--format=%(trailers:key=Aiai-Candidate,valueonly)').split('\n').filter(Boolean);

test('two approvals at the same moment: each lands whole or not at all; branch, index and records agree', async () => {
  for (let trial = 0; trial < TRIALS; trial++) {
    // b grew from a: approving both in either order is legitimate, and so is refusing b once a's approval superseded it.
    const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]);
    const results = await together(dir, ['approve', candidates[0]!.id], ['approve', candidates[1]!.id]);
    const landed = candidates.filter((_, i) => results[i]!.code === 0).map((c) => c.id);
    assert.ok(landed.length > 0, `trial ${trial}: ${results.map((r) => r.stderr).join(' | ')}`);
    for (const r of results) assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.deepEqual(new Set(onBranch(dir)), new Set(landed), 'the branch holds exactly the approvals that said so');
    assert.equal(git(dir, 'status', '--porcelain'), '', 'the index and working tree are the last commit, nothing staged');
    const store = new Store(dir);
    assert.deepEqual(candidates.filter((c) => store.candidate(c.id).status === 'approved').map((c) => c.id).sort(), [...landed].sort());
    assert.deepEqual(decisions(dir), onBranch(dir).map((id) => `approval ${id}`), 'the audit in the order they landed');
  }
});

test('an approval and a rejection of one candidate at the same moment: exactly one is carried out, and the audit says which', async () => {
  for (let trial = 0; trial < TRIALS; trial++) {
    const { dir, candidates } = await pendingCandidate();
    const [a] = candidates;
    const head = git(dir, 'rev-parse', 'HEAD');
    const [approved, rejected] = await together(dir, ['approve', a!.id], ['reject', a!.id, '--reason', 'no']);
    assert.deepEqual([approved!.code, rejected!.code].sort(), [0, 1], `trial ${trial}: ${approved!.stderr} | ${rejected!.stderr}`);
    const status = new Store(dir).candidate(a!.id).status;
    if (approved!.code === 0) {
      assert.equal(status, 'approved');
      assert.equal(trailer(dir), a!.id);
      assert.match(rejected!.stderr, /is approved; only a pending candidate can be rejected/);
      assert.deepEqual(decisions(dir), [`approval ${a!.id}`]);
    } else {
      assert.equal(status, 'rejected');
      assert.equal(git(dir, 'rev-parse', 'HEAD'), head, 'the branch never moved');
      assert.match(approved!.stderr, /is rejected .*only a pending candidate can be approved/);
      assert.deepEqual(decisions(dir), [`rejection ${a!.id}`]);
    }
    assert.equal(git(dir, 'status', '--porcelain'), '');
  }
});

test("an approval that git could not carry out (its index locked) is never carried out later by another deploy", async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 })]);
  const [a, b] = candidates;
  const head = git(dir, 'rev-parse', 'HEAD');
  const lock = path.join(dir, '.git', 'index.lock');
  writeFileSync(lock, '');
  const failed = cli(dir, 'approve', a!.id);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /git could not move main to the approve's commit, so nothing was applied: .*index\.lock/s);
  rmSync(lock);

  const next = cli(dir, 'reject', b!.id);
  assert.equal(next.code, 0, next.stderr);
  assert.doesNotMatch(next.stderr, /interrupted/);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head, 'the failed approval stays undone');
  assert.equal(new Store(dir).candidate(a!.id).status, 'pending');
  assert.ok(!existsSync(path.join(dir, '.aiai', 'deploy-journal.json')));
});

test("finishing an interrupted approval never deletes the index lock of a git that is running", async () => {
  const { dir, candidates } = await pendingCandidate([paramsStep('a', { x: 6 }), paramsStep('b', { x: 7 }), paramsStep('c', { x: 8 })]);
  const [a, b, c] = candidates;
  const head = git(dir, 'rev-parse', 'HEAD');
  const marker = path.join(tempDir(), 'hook.pid');
  blockingHook(dir, 'reference-transaction', marker, '[ "$1" = prepared ] && grep -q refs/heads/main');
  await killDuringApproval(dir, a!.id, marker);
  rmSync(path.join(dir, '.git', 'hooks', 'reference-transaction'));

  // A git of the person's, busy: it holds the index lock open.
  const lock = path.join(dir, '.git', 'index.lock');
  const opened = path.join(tempDir(), 'opened');
  const holder = spawn('/bin/sh', ['-c', `exec 3>"${lock}"; echo > "${opened}"; exec sleep 60`], { stdio: 'ignore' });
  try {
    await waitForFile(opened);
    const next = cli(dir, 'reject', b!.id);
    assert.ok(existsSync(lock), "the live lock is left alone");
    assert.match(next.stderr, /could not yet complete an interrupted approve/);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
  } finally {
    holder.kill('SIGKILL');
    await exited(holder);
  }
  rmSync(lock);
  const after = cli(dir, 'reject', c!.id);
  assert.match(after.stderr, /completed an interrupted approve/);
  assert.equal(trailer(dir), a!.id);
});
