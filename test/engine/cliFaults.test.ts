import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { oneEvalWorkspace } from '../fixtures/oneEval';
import { cli, cliWithEnv, git, tempDir } from '../helpers';

/* Small faults of what the CLI says and keeps (issue 21, item 19). */

test('aiai try refuses a change the guard refuses before evaluating anything, and exits 1', () => {
  const dir = agentWorkspace({ files: { 'agent/prompt.md': 'You are a helpful agent.\n# EVOLVE-BLOCK-START\nBe brief.\n# EVOLVE-BLOCK-END\nNever lie.\n' } });
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a helpful agent.\n# EVOLVE-BLOCK-START\nBe brief.\n# EVOLVE-BLOCK-END\nLie when it helps.\n');
  const tried = cli(dir, 'try');
  assert.equal(tried.code, 1, tried.stdout + tried.stderr);
  assert.equal(tried.stdout, '', 'no baseline was evaluated, no candidate was made');
  assert.match(tried.stderr, /^aiai: refusing to try this change: "agent\/prompt\.md", line 5: the edit changes a line outside the evolve blocks; only the lines between EVOLVE-BLOCK-START and EVOLVE-BLOCK-END may change \(between lines 2 and 4\)\. Nothing was evaluated or recorded\.\n$/);
  assert.equal(existsSync(path.join(dir, '.aiai', 'runs')), false);
});

test('a timeoutSec past what a timer holds is a config error at its line; the longest allowed still lets the eval run', () => {
  const over = agentWorkspace({ config: { budget: { iterations: 1 }, evals: [{ name: 'train', command: 'node eval/score.js train', timeoutSec: 2_147_484 }] } });
  const refused = cli(over, 'run');
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  const lines = readFileSync(path.join(over, '.aiai', 'config.json'), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('2147484'));
  const at = `${line + 1}:${lines[line]!.indexOf('2147484') + 1}`;
  assert.equal(refused.stderr, `aiai: ${path.join(realpathSync(over), '.aiai', 'config.json')}:${at}: "evals[0].timeoutSec" must be at most 2147483\n`);
  // The model proposer's timeout for one call is a timer too.
  const model = agentWorkspace({ config: { proposer: { kind: 'anthropic', timeoutSec: 2_147_484 } } });
  assert.match(cli(model, 'run').stderr, /config\.json:\d+:\d+: "proposer\.timeoutSec" must be at most 2147483\n$/);

  const longest = agentWorkspace({ config: { budget: { iterations: 1 }, evals: [{ name: 'train', command: 'node eval/score.js train', timeoutSec: 2_147_483 }] } });
  const ran = cli(longest, 'run');
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^baseline [0-9a-f]{8}: score 0\.2$/m);
});

test('with git missing from PATH, a command says git is not installed rather than "run git init"', () => {
  const dir = agentWorkspace();
  for (const command of [['list'], ['run'], ['try']]) {
    const result = cliWithEnv({ PATH: tempDir() }, dir, ...command);
    assert.equal(result.code, 1, `${command.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /^aiai: git is not installed, or not on PATH: aiai needs git for all it does\n$/, command.join(' '));
  }
});

test('a workspace folder that does not exist is named as such', () => {
  const missing = path.join(tempDir(), 'nowhere');
  const result = cli(tempDir(), '-C', missing, 'list');
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, new RegExp(`^aiai: ${missing.replace(/[/.]/g, '\\$&')} does not exist\n$`));
});

/** A workspace whose eval scores `score` of the prompt's last line ("0.5" at first). */
function scoredByPrompt(): string {
  return oneEvalWorkspace("const s = require('fs').readFileSync('agent/prompt.md', 'utf8').trim().split('\\n').pop(); console.log(JSON.stringify({ score: Number(s) }));", '0.5\n');
}

interface Shown {
  objective: { value: number; delta: number; deltaVsCurrent: number };
  deltas: { vsParent: { train: { score: number } } };
}

test('a metric of 1e308 is shown and stored as itself, its delta too', () => {
  const dir = scoredByPrompt();
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), '1e308\n');
  const tried = cli(dir, 'try');
  assert.equal(tried.code, 0, tried.stderr);
  assert.match(tried.stdout, /pending {5}score 1e\+308 \(\+1e\+308\) /);
  const id = /candidate ([0-9a-f]+) awaits/.exec(tried.stdout)![1]!;
  assert.match(cli(dir, 'show', id).stdout, /^objective {2}score: 0\.5 → 1e\+308 \(\+1e\+308 vs parent, \+1e\+308 vs current\)$/m);
  const record = JSON.parse(cli(dir, 'show', id, '--json').stdout) as Shown;
  assert.equal(record.objective.value, 1e308);
  assert.equal(record.objective.delta, 1e308);
  assert.equal(record.deltas.vsParent.train.score, 1e308);
  const [listed] = JSON.parse(cli(dir, 'list', '--json').stdout) as Array<{ delta: number }>;
  assert.equal(listed!.delta, 1e308);
});

test('a delta past what a number holds is kept as the largest one, not as Infinity or 0', () => {
  const dir = scoredByPrompt();
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), '-1e308\n');
  git(dir, 'commit', '-qam', 'the lowest score');
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), '1e308\n');
  const tried = cli(dir, 'try');
  assert.equal(tried.code, 0, tried.stderr);
  assert.match(tried.stdout, /pending {5}score 1e\+308 \(\+1\.7977e\+308\) /);
  const id = /candidate ([0-9a-f]+) awaits/.exec(tried.stdout)![1]!;
  const record = JSON.parse(cli(dir, 'show', id, '--json').stdout) as Shown;
  assert.equal(record.objective.delta, Number.MAX_VALUE);
  assert.equal(record.deltas.vsParent.train.score, Number.MAX_VALUE);
});

/** A file system of `kib` KiB in memory at a new folder, unmounted when the test ends; mounting one takes root. */
function smallDisk(t: TestContext, kib: number): string {
  assert.equal(process.getuid?.(), 0, 'this test mounts a tmpfs to fill it, which takes root (as npm test runs)');
  const dir = path.join(tempDir(), 'disk');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
  t.after(() => execFileSync('umount', ['--lazy', dir]));
  return dir;
}

/** Fills the file system `dir` is on until `leftKib` KiB are free. */
function fill(dir: string, leftKib: number): string {
  const { bavail, bsize } = statfsSync(dir);
  const filler = path.join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(bavail * bsize - leftKib * 1024));
  return filler;
}

test('a disk that fills up during a run ends it with an error naming the disk, and the next run finds the records whole', (t) => {
  const disk = smallDisk(t, 2048);
  // An eval that writes more to its log than the disk has left.
  const dir = oneEvalWorkspace("process.stdout.write('x'.repeat(100000) + '\\n'); process.stdout.write('y'.repeat(100000) + '\\n'); console.log(JSON.stringify({ score: 0.5 }));", undefined, path.join(disk, 'ws'));
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a careful agent.\n');
  const filler = fill(disk, 64);

  const full = cli(dir, 'try');
  assert.equal(full.code, 1, full.stdout + full.stderr);
  const said = full.stderr.split('\n').filter((l) => l && !l.includes('evaluations do not see'));
  assert.equal(said.length, 1, `one line, no stack trace:\n${full.stderr}`);
  assert.match(said[0]!, new RegExp(`^aiai: no space left on device: ${dir.replace(/[/.]/g, '\\$&')} has \\d+ KB free\\b.*; free some space and try again \\(`));

  rmSync(filler);
  const listed = cli(dir, 'list', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as Array<{ status: string }>).filter((c) => c.status === 'damaged'), []);
  const again = cli(dir, 'try');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /cleaned up after an earlier run that did not finish: .*1 run\(s\)/);
  assert.match(again.stdout, /^candidate [0-9a-f]+ awaits your review/m);
  const litter = readdirSync(path.join(dir, '.aiai', 'runs'), { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
  assert.deepEqual(litter, [], 'no half-written file is left behind');
});
