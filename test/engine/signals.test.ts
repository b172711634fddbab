import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, KNOB_PAST_SMOKE } from '../fixtures/agentWorkspace';
import { CLI, cli, cliJson, commitAll, exited, git, isAlive, tempDir, waitForFile } from '../helpers';

/*
 * A run ends as cleanly on SIGTERM, SIGHUP or a closed stdout as on Ctrl-C; and
 * what a kill -9 leaves running, the next run ends.
 */

/** The CLI with its own temp folder, so a test can see what it leaves there. */
function start(dir: string, tmp: string, ...args: string[]): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  delete env.ANTHROPIC_API_KEY;
  return spawn(process.execPath, [CLI, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/** Everything a stopped run must not leave behind. */
function assertNothingLeft(dir: string, tmp: string): void {
  assert.deepEqual(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')), [`worktree ${dir}`], 'no evaluation worktree');
  assert.equal(existsSync(path.join(dir, '.aiai', 'run.lock')), false, 'no run lock');
  assert.deepEqual(new Store(dir).runs().filter((r) => r.state === 'running'), [], 'no run still marked running');
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('aiai-eval-')), [], 'no eval temp folder');
  assert.equal(git(dir, 'status', '--porcelain'), '');
}

/** A workspace whose first candidate's train eval blocks, writing its pid to the file returned. */
function blockingWorkspace(iterations: number): { dir: string; marker: string } {
  const marker = path.join(tempDir(), 'eval.pid');
  // Without the sandbox, so the eval can write outside its worktree, and its process group outlives a killed CLI.
  const dir = agentWorkspace({ params: { blockUnlessX: 2, blockFile: marker }, config: { budget: { iterations }, sandbox: { mode: 'off' }, knobs: KNOB_PAST_SMOKE } });
  return { dir, marker };
}

for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  test(`${signal} mid-evaluation stops the run as Ctrl-C does: the eval is killed and nothing is left behind`, async () => {
    const { dir, marker } = blockingWorkspace(3);
    const tmp = tempDir();
    const child = start(dir, tmp, 'run');
    const stderr = collect(child.stderr);
    await waitForFile(marker);
    const evalPid = Number(readFileSync(marker, 'utf8'));
    child.kill(signal);

    assert.equal(await exited(child), code, stderr());
    assert.match(stderr(), new RegExp(`stopping on ${signal}.*: discarding the candidate in flight`));
    assert.equal(isAlive(evalPid), false, 'the evaluation is dead');
    assert.equal(git(dir, 'for-each-ref', 'refs/aiai/'), '', 'the candidate in flight left no ref');
    assert.deepEqual(new Store(dir).runs().map((r) => r.state), ['interrupted']);
    assertNothingLeft(dir, tmp);
  });
}

test('a closed stdout (aiai run | head -1) stops the run at its next line, cleanly and without a stack trace', async () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 20 } } });
  const tmp = tempDir();
  const child = start(dir, tmp, 'run');
  const stderr = collect(child.stderr);
  // Read the first line, then go away, as `head -1` does.
  child.stdout!.once('data', () => child.stdout!.destroy());

  assert.equal(await exited(child), 141, stderr());
  assert.match(stderr(), /stopping: the output was closed: discarding the candidate in flight/);
  assert.doesNotMatch(stderr(), /EPIPE|\n\s+at /);
  const [runRecord] = new Store(dir).runs();
  assert.equal(runRecord!.state, 'interrupted');
  assert.ok(new Store(dir).candidates().length < 20, 'the run stopped early');
  assertNothingLeft(dir, tmp);
});

test('after a kill -9 without the sandbox, the next run ends the evaluation left running, and says so', async () => {
  const { dir, marker } = blockingWorkspace(1);
  const child = start(dir, tempDir(), 'run');
  await waitForFile(marker);
  const evalPid = Number(readFileSync(marker, 'utf8'));
  child.kill('SIGKILL');
  await exited(child);
  assert.equal(isAlive(evalPid), true, 'the evaluation outlived the CLI');

  writeFileSync(path.join(dir, 'agent', 'params.json'), `${JSON.stringify({ x: 2 }, null, 2)}\n`);
  commitAll(dir, 'stop blocking');
  const next = cli(dir, 'run');
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /ended 1 evaluation process group\(s\) that an earlier run left running/);
  assert.equal(isAlive(evalPid), false, 'the next run ended it');
  assert.equal(cliJson<unknown[]>(dir, 'list').length, 1);
});

test('aiai show ID | head -1 ends quietly, without a stack trace', async () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 1 } } });
  assert.equal(cli(dir, 'run').code, 0);
  const [candidate] = cliJson<{ id: string }[]>(dir, 'list');
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY;
  const child = spawn(process.execPath, [CLI, 'show', candidate!.id], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The reader is gone before the CLI has even started, so its first write meets a closed pipe.
  child.stdout.destroy();
  const stderr = collect(child.stderr);
  assert.equal(await exited(child), 141);
  assert.equal(stderr(), '');
});
