import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { sandboxed } from '../../src/core/grade/sandbox';
import { runLoop } from '../../src/core/loop/loop';
import { paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cliAsync, cliProcess, commitAll, configJson, exited, git, makeRepo, snapshot, tempDir, until } from '../helpers';

/*
 * Hostile evaluations, each in the sandbox (sandbox.mode "required"): what they try,
 * and what is preserved. RELIABILITY.md tabulates these cases.
 */

before(() => ensureDebianPackages(['bubblewrap']));

/** An eval that does, for a candidate, what agent/params.json's "act" says. */
const HOSTILE_JS = `
const fs = require('fs');
const net = require('net');
const { spawn, spawnSync } = require('child_process');
const p = JSON.parse(fs.readFileSync('agent/params.json', 'utf8'));
const done = (extra = {}) => { console.log(JSON.stringify({ score: p.x / 10, ...extra })); process.exit(0); };
const forever = () => setInterval(() => {}, 1000);
if (p.x === 2) done();
switch (p.act) {
  case 'hang': spawn('sleep', [p.marker], { stdio: 'ignore' }); forever(); break;
  case 'fork': for (let i = 0; i < 100; i++) spawn('sleep', [p.marker], { stdio: 'ignore' }); forever(); break;
  case 'alloc': { const hoard = []; for (;;) hoard.push(Buffer.alloc(64 * 1024 * 1024, 1)); }
  case 'flood': { const line = 'x'.repeat(1023) + '\\n'; const chunk = line.repeat(1024); let n = 0; const write = () => { while (n < 300) { n++; if (!process.stdout.write(chunk)) return process.stdout.once('drain', write); } done(); }; write(); break; }
  case 'network': { const socket = net.connect(p.port, '127.0.0.1'); socket.on('connect', () => done({ connected: 1 })); socket.on('error', () => done({ connected: 0 })); break; }
  case 'write': { let written = 0; for (const target of p.targets) { try { fs.writeFileSync(target, 'pwned'); written++; } catch {} } done({ written }); break; }
  case 'orphan': { spawn('setsid', ['sleep', p.marker], { stdio: 'ignore', detached: true }).unref(); done(); break; }
  case 'secrets': { let seen = 0; try { seen = fs.readFileSync(process.env.HOME + '/.ssh/id_rsa', 'utf8').includes('SECRET') ? 1 : 0; } catch {} done({ secret_seen: seen }); break; }
  case 'grader': fs.appendFileSync('eval/hostile.js', '\\n// always pass\\n'); done(); break;
  case 'block': spawn('sleep', [p.marker], { stdio: 'ignore' }); forever(); break;
  case 'fill': {
    if (p.shown) console.log(p.shown + (fs.existsSync(p.shown) ? ' is shown' : ' is missing'));
    const wrote = spawnSync('sh', ['-c', 'head -c 209715200 /dev/zero > "$0"; s=$?; echo "wrote $(wc -c < "$0" 2>/dev/null || echo 0) bytes"; exit $s', p.target], { stdio: 'inherit' });
    if (wrote.status !== 0) process.exit(1);
    done({ in_memory: [0x01021994, 0x858458f6].includes(fs.statfsSync(require('path').dirname(require('path').resolve(p.target))).type) ? 1 : 0 });
  }
}
`;

function hostileWorkspace(timeoutSec = 5, sandbox: Record<string, unknown> = {}): string {
  return makeRepo({
    'agent/params.json': '{ "x": 2 }\n',
    'eval/hostile.js': HOSTILE_JS,
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\n',
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'train', command: 'node eval/hostile.js', timeoutSec }],
      objective: { eval: 'train', metric: 'score' },
      knobs: [{ file: 'agent/params.json', jsonPointer: '/x', min: 0, max: 10, step: 1 }],
      budget: { iterations: 1 },
      sandbox: { mode: 'required', ...sandbox },
    }),
  });
}

async function act(dir: string, params: Record<string, unknown>) {
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('hostile', { x: 5, ...params })]), signal: new AbortController().signal });
  assert.equal(summary.run.isolation, 'bubblewrap');
  return summary.candidates[0]!;
}

/** A `sleep` argument no other process has, to find the eval's processes by. */
function marker(): string {
  return `${300 + Math.floor(Math.random() * 1000)}.${Date.now() % 1_000_000}`;
}

/** Processes whose command line holds `text`. */
function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return cmdline.includes(text) && !/^\d+ \(.*\) Z/.test(state);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function sizeOf(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, d) => n + (d.isDirectory() ? sizeOf(path.join(dir, d.name)) : statSync(path.join(dir, d.name)).size), 0);
}

function worktrees(dir: string): number {
  return git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;
}

test('an eval that hangs is killed at its timeout with its children', async () => {
  const dir = hostileWorkspace(2);
  const m = marker();
  const c = await act(dir, { act: 'hang', marker: m });
  assert.equal(c.evaluation!.evals[0]!.status, 'timeout');
  assert.deepEqual(processesWith(m), []);
});

test('an eval that forks many processes is killed with all of them', async () => {
  const dir = hostileWorkspace(2);
  const m = marker();
  const c = await act(dir, { act: 'fork', marker: m });
  assert.equal(c.evaluation!.evals[0]!.status, 'timeout');
  assert.deepEqual(processesWith(m), []);
});

test('an eval that allocates without bound fails at its memory limit, long before its timeout', async () => {
  const dir = hostileWorkspace(60, { memoryMb: 256 });
  const c = await act(dir, { act: 'alloc' });
  assert.equal(c.status, 'failed');
  assert.equal(c.evaluation!.evals[0]!.status, 'failed');
  assert.ok(c.evaluation!.evals[0]!.durationMs < 30_000);
});

test("an eval that fills its private /tmp, /var/tmp or /dev/shm fails at sandbox.memoryMb, 'No space left on device' in its log", async () => {
  for (const target of ['/tmp/fill', '/var/tmp/fill', '/dev/shm/fill']) {
    const c = await act(hostileWorkspace(30, { memoryMb: 64 }), { act: 'fill', target });
    assert.equal(c.status, 'failed', target);
    const log = readFileSync(c.evaluation!.evals[0]!.logFile, 'utf8');
    assert.match(log, /No space left on device/, target);
    const wrote = Number(/wrote (\d+) bytes/.exec(log)?.[1]);
    assert.ok(wrote <= 64 * 1024 * 1024, `${target}: ${wrote} bytes held in memory`);
  }
});

/** A device of this machine that bubblewrap's own /dev lacks, for sandbox.readable to show. */
function hostDevice(): string {
  const own = new Set(['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'console']);
  return `/dev/${readdirSync('/dev').find((name) => !own.has(name) && statSync(`/dev/${name}`).isCharacterDevice())}`;
}

test('an eval cannot write into its /dev, which is memory too, and a device sandbox.readable shows is still there', async () => {
  const device = hostDevice();
  const c = await act(hostileWorkspace(30, { memoryMb: 64, readable: [device] }), { act: 'fill', target: '/dev/fill', shown: device });
  assert.equal(c.status, 'failed');
  const log = readFileSync(c.evaluation!.evals[0]!.logFile, 'utf8');
  assert.match(log, new RegExp(`${device} is shown`));
  // The shell's error (stderr) and the byte count (stdout) reach the log through two pipes, in either order.
  assert.match(log, /Read-only file system/);
  assert.match(log, /wrote 0 bytes/);
});

test('what an eval writes into its worktree goes to disk, not memory: 200 MB with sandbox.memoryMb 64', async () => {
  const c = await act(hostileWorkspace(60, { memoryMb: 64 }), { act: 'fill', target: 'fill' });
  assert.equal(c.status, 'pending', c.reason);
  assert.match(readFileSync(c.evaluation!.evals[0]!.logFile, 'utf8'), /wrote 209715200 bytes/);
  assert.equal(c.evaluation!.evals[0]!.metrics.in_memory, 0, 'the worktree is on a disk file system');
});

test("where bubblewrap cannot size a tmpfs, the sandbox's /tmp, /var/tmp and /dev/shm are the eval's temp folder, not memory", () => {
  const checkout = tempDir();
  const scratch = tempDir('aiai-scratch-');
  const config = { mode: 'required' as const, network: false, memoryMb: 64, maxProcesses: 256, env: [], readable: [] };
  const script = 'for d in /tmp /var/tmp /dev/shm; do echo x > "$d/in$(echo $d | tr / -)" || exit 1; done; echo x > /dev/fill';
  const argv = sandboxed(script, { cwd: checkout, scratch, config, isolation: { kind: 'bubblewrap', sizedTmpfs: false } });
  const result = spawnSync(argv.file, argv.args, { cwd: checkout, env: { ...process.env, ...argv.env }, encoding: 'utf8' });
  assert.match(result.stderr, /\/dev\/fill: Read-only file system/);
  assert.deepEqual(readdirSync(scratch).filter((f) => f.startsWith('in-')).sort(), ['in-dev-shm', 'in-tmp', 'in-var-tmp']);
});

test('an eval that prints 300 MB does not grow .aiai past a few MB', async () => {
  const dir = hostileWorkspace(120);
  const c = await act(dir, { act: 'flood' });
  const log = c.evaluation!.evals[0]!.logFile;
  assert.ok(statSync(log).size < 2.1 * 1024 * 1024, `log ${statSync(log).size} bytes`);
  assert.match(readFileSync(log, 'utf8'), /\[aiai: log cut here after 2097152 bytes; the rest of the output was discarded\]/);
  assert.ok(sizeOf(path.join(dir, '.aiai')) < 4 * 1024 * 1024, `.aiai holds ${sizeOf(path.join(dir, '.aiai'))} bytes`);
  assert.equal(c.status, 'pending', 'its metrics, the last line, still count');
});

test('no network connection from an eval arrives', async () => {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const dir = hostileWorkspace();
    const c = await act(dir, { act: 'network', port: (server.address() as net.AddressInfo).port });
    assert.equal(c.evaluation!.evals[0]!.metrics.connected, 0);
    assert.equal(connections, 0);
  } finally {
    server.close();
  }
});

test('an eval cannot write into the main checkout, the shared .git, or anywhere outside its worktree', async () => {
  const dir = hostileWorkspace();
  const before = snapshot(dir);
  const hooks = readdirSync(path.join(dir, '.git', 'hooks')).sort();
  const outside = path.join(tempDir(), 'outside.txt');
  const targets = [path.join(dir, 'agent', 'pwned.txt'), path.join(dir, '.git', 'hooks', 'pre-commit'), path.join(dir, '.git', 'refs', 'heads', 'pwned'), outside, path.join(process.env.HOME ?? '/root', `aiai-pwned-${Date.now()}`)];
  const c = await act(dir, { act: 'write', targets });
  assert.equal(c.evaluation!.evals[0]!.metrics.written, 0);
  for (const target of targets) assert.equal(existsSync(target), false, target);
  assert.deepEqual(snapshot(dir), before);
  assert.deepEqual(readdirSync(path.join(dir, '.git', 'hooks')).sort(), hooks);
  assert.equal(git(dir, 'for-each-ref', 'refs/heads/'), git(dir, 'for-each-ref', 'refs/heads/main'));
});

test('a child left running by an eval does not outlive it', async () => {
  const dir = hostileWorkspace();
  const m = marker();
  const c = await act(dir, { act: 'orphan', marker: m });
  assert.equal(c.evaluation!.evals[0]!.status, 'passed');
  assert.deepEqual(processesWith(m), []);
});

test('an eval that rewrites its own grader is flagged tamper, not presented as an improvement', async () => {
  const dir = hostileWorkspace();
  const c = await act(dir, { act: 'grader' });
  assert.deepEqual(c.flags, ['tamper']);
  assert.equal(c.status, 'failed');
  assert.equal(readFileSync(path.join(dir, 'eval', 'hostile.js'), 'utf8'), HOSTILE_JS);
});

test('home-directory secrets are unreadable to an eval (and readable without the sandbox)', async () => {
  const home = tempDir('aiai-home-');
  mkdirSync(path.join(home, '.ssh'));
  writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'SECRET KEY\n');
  const realHome = process.env.HOME;
  process.env.HOME = home;
  try {
    const sandboxed = await act(hostileWorkspace(), { act: 'secrets' });
    assert.equal(sandboxed.evaluation!.evals[0]!.metrics.secret_seen, 0);
    const open = await runLoop(hostileWorkspace(5, { mode: 'off' }), { proposer: new ScriptedProposer([paramsStep('hostile', { x: 5, act: 'secrets' })]), signal: new AbortController().signal });
    assert.equal(open.candidates[0]!.evaluation!.evals[0]!.metrics.secret_seen, 1, 'the check is real: without the sandbox the key is read');
  } finally {
    process.env.HOME = realHome;
  }
});

test('after a kill -9 mid-evaluation, the sandbox dies with the loop, and the next run leaves one worktree and a clean status', async () => {
  const dir = hostileWorkspace(60);
  const m = marker();
  writeFileSync(path.join(dir, 'agent', 'params.json'), `${JSON.stringify({ x: 3, act: 'block', marker: m })}\n`);
  commitAll(dir, 'an agent whose evaluation blocks');
  const child = cliProcess(dir, 'run');
  await until(() => processesWith(m).length > 0, 20_000, 'the evaluation started');
  child.kill('SIGKILL');
  await exited(child);
  await until(() => processesWith(m).length === 0, 10_000, 'the sandbox died with the loop');

  writeFileSync(path.join(dir, 'agent', 'params.json'), '{ "x": 2 }\n');
  commitAll(dir, 'an agent whose evaluation finishes');
  const next = await cliAsync({}, dir, 'run');
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /cleaned up after an earlier run that did not finish: 1 worktree\(s\), 1 run\(s\)/);
  assert.equal(worktrees(dir), 1);
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('an eval that runs more processes than sandbox.maxProcesses is killed at once, with all of them', async () => {
  const dir = hostileWorkspace(30, { maxProcesses: 50 });
  const m = marker();
  const c = await act(dir, { act: 'fork', marker: m });
  assert.equal(c.status, 'failed');
  assert.equal(c.reason, 'train: killed for running more than 50 processes at once (sandbox.maxProcesses)');
  assert.ok(c.evaluation!.evals[0]!.durationMs < 10_000, 'long before its timeout');
  assert.deepEqual(processesWith(m), []);
});

test('a workspace under /tmp: its shared folders stay visible, read-only, inside the sandbox', async () => {
  const dir = makeRepo({
    'agent/params.json': '{ "x": 2 }\n',
    'eval/read.js': "const fs = require('fs');\nconst x = JSON.parse(fs.readFileSync('agent/params.json', 'utf8')).x;\nconst data = fs.readFileSync('data/answer.txt', 'utf8').trim();\nconsole.log(JSON.stringify({ score: data === 'forty-two' ? x / 10 : 0 }));\n",
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\n',
    '.gitignore': 'data/\n',
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'train', command: 'node eval/read.js', timeoutSec: 30 }],
      objective: { eval: 'train', metric: 'score' },
      shared: ['data'],
      sandbox: { mode: 'required' },
    }),
  });
  assert.ok(dir.startsWith(os.tmpdir()), 'the workspace lies under the temp folder the sandbox replaces');
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'answer.txt'), 'forty-two\n');
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 6', { x: 6 })]), signal: new AbortController().signal });
  assert.equal(summary.run.isolation, 'bubblewrap');
  assert.equal(summary.run.baseline?.evals[0]?.metrics.score, 0.2, 'the baseline read the shared data');
  assert.equal(summary.candidates[0]?.status, 'pending', summary.candidates[0]?.reason);
  assert.equal(git(dir, 'status', '--porcelain'), '');
});
