import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { agentWorkspace, baseConfig, KNOB_PAST_SMOKE } from '../fixtures/agentWorkspace';
import { CLI, cli, cliJson, cliProcess, cliWithEnv, commitAll, configJson, copyExample, exited, git, killGroupOf, makeRepo, ROOT, SEEDED, snapshot, tempDir, waitForFile, writeFiles } from '../helpers';

interface Listed {
  id: string;
  title: string;
  status: string;
  metrics: Record<string, number> | null;
  delta: number | null;
  flags: string[];
  reason: string | null;
}

interface ListedVersion {
  version: string;
  commit: string;
  metrics: Record<string, number> | null;
}

function worktrees(dir: string): string[] {
  return git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '));
}

test('the example improves under the parameter search, and approve / versions / rollback work as a person expects', async () => {
  const dir = copyExample(SEEDED);
  const baseline = git(dir, 'rev-parse', 'HEAD');
  const before = snapshot(dir);

  const run = cli(dir, 'run', '--iterations', '10');
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[0]!, /^baseline [0-9a-f]{8}: accuracy 0\.4333$/);
  assert.equal(lines.filter((l) => /^\[\s*\d+\/10\] [0-9a-f]{12} /.test(l)).length, 10, run.stdout);
  assert.match(lines.at(-1)!, /^best: [0-9a-f]{12} accuracy 0\.4333 → /);
  assert.deepEqual(snapshot(dir), before, 'the working tree is untouched');
  assert.equal(git(dir, 'rev-parse', 'HEAD'), baseline);
  assert.equal(git(dir, 'status', '--porcelain'), '');

  const listed = cliJson<Listed[]>(dir, 'list');
  assert.equal(listed.length, 10);
  for (const c of listed) {
    assert.deepEqual(Object.keys(c).slice(0, 7), ['id', 'title', 'status', 'metrics', 'delta', 'flags', 'reason']);
    assert.ok(['pending', 'rejected', 'failed', 'refused', 'approved'].includes(c.status));
  }
  const pending = listed.filter((c) => c.status === 'pending').sort((a, b) => b.metrics!.accuracy! - a.metrics!.accuracy!);
  assert.ok(pending.length > 0, 'a pending candidate');
  const best = pending[0]!;
  assert.ok(best.metrics!.accuracy! > 0.4333 + 0.01, `beats the baseline: ${best.metrics!.accuracy}`);
  assert.ok(best.delta! > 0);

  const shown = cli(dir, 'show', best.id);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /objective {2}accuracy: /);
  assert.match(shown.stdout, /^diff --git a\/agent\//m);
  assert.match(shown.stdout, new RegExp(`^lineage {4}baseline( → [0-9a-f]{12})* → ${best.id}$`, 'm'));

  const approved = cli(dir, 'approve', best.id);
  assert.equal(approved.code, 0, approved.stderr);
  const body = git(dir, 'log', '-1', '--format=%B');
  assert.match(body, new RegExp(`^Aiai-Candidate: ${best.id}$`, 'm'));
  assert.match(body, /^Aiai-Metrics: accuracy 0\.4333\d* -> 0\.\d+$/m);
  assert.equal(git(dir, 'rev-parse', 'HEAD~1'), baseline);
  const approvedCommit = git(dir, 'rev-parse', 'HEAD');
  assert.equal(git(dir, 'status', '--porcelain'), '', 'the working tree follows the new commit');
  assert.equal(cliJson<Listed[]>(dir, 'list').find((c) => c.id === best.id)!.status, 'approved');

  const versions = cliJson<ListedVersion[]>(dir, 'versions');
  assert.equal(versions.length, 2);
  assert.deepEqual(versions.map((v) => v.commit), [approvedCommit, baseline]);
  assert.equal(versions[1]!.version, 'v0');
  assert.equal(versions[0]!.metrics!.accuracy, best.metrics!.accuracy);
  assert.equal(versions[1]!.metrics!.accuracy, 0.43333333333333335);

  // A rollback refuses over an uncommitted edit to an editable file, and keeps the edit.
  appendFileSync(path.join(dir, 'agent', 'triage.mjs'), '// my work in progress\n');
  const refused = cli(dir, 'rollback', versions[1]!.version);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /refusing to roll back: editable files have uncommitted changes \(agent\/triage\.mjs\)/);
  assert.match(readFileSync(path.join(dir, 'agent', 'triage.mjs'), 'utf8'), /my work in progress/);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), approvedCommit);
  git(dir, 'checkout', '--', 'agent/triage.mjs');

  const rolled = cli(dir, 'rollback', 'v0');
  assert.equal(rolled.code, 0, rolled.stderr);
  assert.equal(git(dir, 'rev-parse', 'HEAD~1'), approvedCommit, 'history is kept: the rollback is a new commit');
  assert.equal(git(dir, 'diff', '--stat', baseline, 'HEAD', '--', 'agent'), '', 'the editable files are as at the baseline');
  assert.equal(git(dir, 'status', '--porcelain'), '');
  assert.match(git(dir, 'log', '-1', '--format=%B'), new RegExp(`^Aiai-Rollback: v0 ${baseline}$`, 'm'));
  const after = cliJson<ListedVersion[]>(dir, 'versions');
  assert.equal(after.length, 3);
  assert.deepEqual(after[0]!.metrics, versions[1]!.metrics, 'a rollback carries the metrics of the version it restores');

  // The audit log has every act, with who did it.
  const audit = readFileSync(path.join(dir, '.aiai', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  assert.equal(audit.filter((e) => e.event === 'proposal').length, 10);
  assert.equal(audit.filter((e) => e.event === 'evaluation').length, 10);
  const approval = audit.find((e) => e.event === 'approval')!;
  assert.deepEqual([approval.by, approval.candidate, approval.commit], ['person via cli', best.id, approvedCommit]);
  assert.match(approval.contentHash!, /^[0-9a-f]{40}$/);
  assert.equal(audit.find((e) => e.event === 'rollback')!.by, 'person via cli');
  assert.ok(audit.every((e) => !Number.isNaN(Date.parse(e.time!))));
});

test('Ctrl-C stops the run: the candidate in flight is discarded and nothing is left behind', async () => {
  const marker = path.join(tempDir(), 'eval.pid');
  // Without the sandbox, so the eval can signal from outside its worktree that it started.
  const dir = agentWorkspace({ params: { blockUnlessX: 2, blockFile: marker }, config: { budget: { iterations: 3 }, sandbox: { mode: 'off' }, knobs: KNOB_PAST_SMOKE } });
  const child = cliProcess(dir, 'run');
  await waitForFile(marker);
  child.kill('SIGINT');
  assert.equal(await exited(child), 130);
  assert.equal(cliJson<Listed[]>(dir, 'list').length, 0);
  assert.equal(git(dir, 'for-each-ref', 'refs/aiai/'), '');
  assert.equal(worktrees(dir).length, 1);
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('after a kill -9 mid-evaluation, the next run cleans up and works', async () => {
  const marker = path.join(tempDir(), 'eval.pid');
  const dir = agentWorkspace({ params: { blockUnlessX: 2, blockFile: marker }, config: { budget: { iterations: 1 }, sandbox: { mode: 'off' }, knobs: KNOB_PAST_SMOKE } });
  const child = cliProcess(dir, 'run');
  await waitForFile(marker);
  child.kill('SIGKILL');
  await exited(child);
  // The evaluation's own process group outlived the CLI; end it as the machine would.
  killGroupOf(Number(readFileSync(marker, 'utf8')));
  assert.equal(worktrees(dir).length, 2, 'the crashed run left its worktree');
  const scratch = (): string[] => readdirSync(os.tmpdir()).filter((f) => f.startsWith(`aiai-eval-${child.pid}-`));
  assert.equal(scratch().length, 1, 'and the temp folder of its evaluation');

  // The same workspace, now with an eval that does not block.
  const params = path.join(dir, 'agent', 'params.json');
  writeFileSync(params, `${JSON.stringify({ x: 2 }, null, 2)}\n`);
  commitAll(dir, 'stop blocking');
  const next = cli(dir, 'run');
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, new RegExp(`cleaned up after an earlier run that did not finish: 1 worktree\\(s\\), 1 run\\(s\\), 1 unrecorded candidate ref\\(s\\), 1 evaluation temp folder\\(s\\); its loop \\(pid ${child.pid}\\) died`));
  assert.deepEqual(scratch(), [], 'the dead run\'s temp folder is gone');
  assert.equal(worktrees(dir).length, 1, 'exactly one worktree: the checkout');
  assert.equal(git(dir, 'status', '--porcelain'), '');
  assert.equal(cliJson<Listed[]>(dir, 'list').length, 1);
});

test('usage errors exit 2 with a message; runtime refusals exit 1', () => {
  const dir = agentWorkspace();
  const zero = cli(dir, 'run', '--iterations', '0');
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /expected a positive whole number/);
  const unknown = cli(dir, 'approve', 'deadbeef');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no candidate "deadbeef"/);
  const notRepo = cli(tempDir(), 'versions');
  assert.equal(notRepo.code, 2);
});

test('init writes a commented config that loads, guesses the eval command, and refuses to overwrite', () => {
  const dir = makeRepo({ 'package.json': JSON.stringify({ scripts: { test: 'node test.js' } }), 'src/agent.js': '', 'test/t.js': '' });
  const first = cli(dir, 'init');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /eval command guessed from package\.json \(scripts\.test\): npm test --silent/);
  const text = readFileSync(path.join(dir, '.aiai', 'config.json'), 'utf8');
  assert.match(text, /^\/\/ aiai configuration/);
  assert.match(text, /"editable": \["src\/\*\*"\]/);
  assert.match(text, /"protected": \["test\/\*\*"\]/);
  assert.match(readFileSync(path.join(dir, '.aiai', '.gitignore'), 'utf8'), /^runs\/$/m);
  const listed = cli(dir, 'list');
  assert.equal(listed.code, 0, `the written config loads: ${listed.stderr}`);
  const again = cli(dir, 'init');
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);
});

test('init recommends two phases when the evaluator imports the agent, naming the file and what it imports', () => {
  const dir = makeRepo({
    'package.json': JSON.stringify({ scripts: { eval: 'node eval/score.mjs train' } }),
    'agent/triage.mjs': 'export const triage = (t) => t.text.includes("down") ? "urgent" : "normal";\n',
    'eval/score.mjs': "import { readFileSync } from 'node:fs';\nimport { triage } from '../agent/triage.mjs';\nconsole.log(JSON.stringify({ accuracy: 1 }));\n",
  });
  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(
    init.stdout,
    /^ {2}eval\/score\.mjs imports agent\/triage\.mjs: the candidate's code runs inside your grader, where it can read the answers and write its own score\. Split it into a "command" that runs the agent and writes its outputs to \$AIAI_OUTPUTS_DIR, and a "grade" that scores those outputs, with the expected outputs in "answers" \(aiai's README: Two-phase evaluations\)\.$/m,
  );
  const text = readFileSync(path.join(dir, '.aiai', 'config.json'), 'utf8');
  assert.match(text, /\/\/ eval\/score\.mjs imports agent\/triage\.mjs: make this eval two-phase \(below\)\./);
  assert.match(text, /\/\/ {3}\{ "name": "train", "command": "node eval\/run\.mjs train", "grade": "node eval\/grade\.mjs train",/, 'the two-phase form, commented');
  assert.equal(cli(dir, 'list').code, 0, 'the written config loads');
});

test('init recommends two phases for a Python evaluator that imports the agent as a package', () => {
  const dir = makeRepo({
    'pyproject.toml': '[project]\nname = "agent"\n',
    'agent/__init__.py': '',
    'agent/core.py': 'def run(ticket):\n    return "normal"\n',
    'agent/cli.py': 'print("normal")\n',
    'tests/test_agent.py': 'import json\nimport os\n\nfrom agent.core import run\n',
    // A program the grader starts runs where the grader does, answers and metrics file included.
    'tests/test_cli.py': 'import subprocess\n\nsubprocess.run(["python3", "agent/cli.py"], check=True)\n',
  });
  const init = cliJson<{ notes: string[] }>(dir, 'init');
  assert.equal(init.notes.length, 1, init.notes.join('\n'));
  assert.match(init.notes[0]!, /^tests\/test_agent\.py imports agent\/core\.py \(and 1 more evaluator file runs the agent's code\): the candidate's code runs inside your grader/);
});

test('init recommends nothing when no grader imports the agent, as in a project already in two phases', () => {
  const dir = makeRepo({
    'package.json': JSON.stringify({ scripts: { eval: 'node eval/run.mjs && node eval/score.mjs' } }),
    'agent/triage.mjs': 'export const triage = () => "normal";\n',
    'agent/prompt.md': 'Route the ticket.\n',
    // The run phase's script: running the agent and writing its outputs is its job.
    'eval/run.mjs': "import { writeFileSync } from 'node:fs';\nimport { triage } from '../agent/triage.mjs';\nwriteFileSync(`${process.env.AIAI_OUTPUTS_DIR}/labels.txt`, triage());\n",
    // The grader reads the outputs and the prompt: no code of the candidate's runs in it.
    'eval/score.mjs': "import { readFileSync, writeFileSync } from 'node:fs';\nimport { same } from './same.mjs';\nreadFileSync('agent/prompt.md', 'utf8');\nconst label = readFileSync(`${process.env.AIAI_OUTPUTS_DIR}/labels.txt`, 'utf8');\nwriteFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { accuracy: same(label, 'normal') ? 1 : 0 } }));\n",
    'eval/same.mjs': 'export const same = (output, expected) => output === expected;\n',
  });
  const init = cliJson<{ notes: string[] }>(dir, 'init');
  assert.deepEqual(init.notes, []);
  assert.doesNotMatch(readFileSync(path.join(dir, '.aiai', 'config.json'), 'utf8'), /make this eval two-phase/);
});

test('git, editor and pager variables in the environment (as npm and git hooks set them) do not redirect or block git', () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 1 } } });
  const result = cliWithEnv({ GIT_DIR: '/nonexistent', GIT_WORK_TREE: '/', EDITOR: 'vim', VISUAL: 'vim', PAGER: 'less', PREFIX: '/usr' }, dir, 'run');
  assert.equal(result.code, 0, result.stderr);
  assert.equal(cliJson<Listed[]>(dir, 'list').length, 1);
});

test('with --json, an error is JSON on stdout too, and the exit code stays', () => {
  const dir = agentWorkspace();
  const errorOf = (result: { stdout: string }): { kind: string; message: string; problems?: { line: number }[] } => (JSON.parse(result.stdout) as { error: { kind: string; message: string } }).error;

  const unknown = cli(dir, 'approve', 'deadbeef', '--json');
  assert.equal(unknown.code, 2);
  assert.deepEqual(errorOf(unknown), { kind: 'usage', message: 'no candidate "deadbeef"; `aiai list` shows the candidates' });
  const badOption = cli(dir, 'run', '--iterations', '0', '--json');
  assert.equal(badOption.code, 2);
  assert.equal(errorOf(badOption).kind, 'usage');
  assert.match(errorOf(badOption).message, /expected a positive whole number/);
  assert.equal(badOption.stderr, '', 'no text beside the JSON');

  writeFileSync(path.join(dir, '.aiai', 'config.json'), '{\n  "editable": [\n}\n');
  const config = cli(dir, 'list', '--json');
  assert.equal(config.code, 2);
  assert.equal(errorOf(config).kind, 'config');
  assert.equal(errorOf(config).problems![0]!.line, 3);
});

test('--version prints the version of the package', () => {
  const result = cli(tempDir(), '--version');
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
});

test('approving or rejecting a candidate that is not pending is a refusal: exit 1', () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 1 } } });
  assert.equal(cli(dir, 'run').code, 0);
  const [candidate] = cliJson<Listed[]>(dir, 'list');
  if (candidate!.status === 'pending') assert.equal(cli(dir, 'reject', candidate!.id).code, 0);
  const again = cli(dir, 'reject', candidate!.id);
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stderr, /only a pending candidate can be rejected/);
  const approve = cli(dir, 'approve', candidate!.id, '--json');
  assert.equal(approve.code, 1, approve.stderr);
  assert.match((JSON.parse(approve.stdout) as { error: { message: string } }).error.message, /only a pending candidate can be approved/);
});

test('list outside a git repository is an error, not an empty list', () => {
  const dir = tempDir();
  writeFiles(dir, { '.aiai/config.json': configJson(baseConfig()) });
  const result = cli(dir, 'list');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /is not inside a git repository/);
  assert.equal(result.stdout, '');
});

test('aiai --help loads only the command table: not the engine, the model SDK or the config validator', () => {
  // What `aiai --help` loads is main.mjs and what it imports statically; each command loads the rest when it runs.
  // (How long that takes is a benchmark: BENCHMARKS.md.)
  const dir = path.join(path.dirname(CLI), 'cli');
  const loaded = new Set<string>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    loaded.add(file);
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const [, from, bare] of text.matchAll(/^import\s[^;]*?from\s+"\.\/([^"]+)"|^import\s+"\.\/([^"]+)"/gm)) visit((from ?? bare) as string);
  };
  visit('main.mjs');
  const code = [...loaded].map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  assert.ok(code.includes('.command('), 'the command table is there');
  assert.ok(!code.includes('node_modules/@anthropic-ai/sdk'), 'the model SDK waits for a command that needs it');
  assert.ok(!code.includes('function runLoop('), 'the engine waits for a command that needs it');
  assert.ok(!/schema\/validate\.generated/.test(code), 'the config validator waits for a command that needs it');
  assert.ok(code.length < 300_000, `what --help loads stays small (${code.length} characters)`);
  assert.equal(spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout.includes('Usage: aiai'), true);
});
