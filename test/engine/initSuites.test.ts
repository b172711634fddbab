import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig, type Config } from '../../src/core/config/config';
import { initWorkspace, type InitResult } from '../../src/core/config/init';
import { cliWithEnv, makeRepo, tempDir, writeFiles } from '../helpers';

/*
 * `aiai init` on a project whose evals are its test suites or a promptfoo config:
 * what it finds, the eval it writes for each (the command that makes the runner
 * write a report aiai reads), what it protects and makes editable, and what it says
 * the person must install or check before the first run.
 */

const ROUTER_PY = 'def route(ticket):\n    return "billing" if "refund" in ticket else "normal"\n';
const TESTS_PY = 'from agent.router import route\n\n\ndef test_refund():\n    assert route("refund please") == "billing"\n\n\ndef test_spam():\n    assert route("win a prize") == "spam"\n';

/** Init on a repository of `files`: what it says, and the config it wrote, which must load. */
async function init(files: Record<string, string>): Promise<{ result: InitResult; config: string; loaded: Config }> {
  const dir = makeRepo(files);
  const result = await initWorkspace(dir);
  return { result, config: readFileSync(path.join(dir, '.aiai', 'config.json'), 'utf8'), loaded: loadConfig(dir) };
}

/** The eval lines of a written config, as objects. */
function evals(config: string): Array<Record<string, unknown>> {
  return [...config.matchAll(/^ {4}(\{ "name": .*\}),?$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
}

test('each way pytest is set up is found: pytest.ini, pyproject.toml, setup.cfg, conftest.py, or a tests folder alone', async () => {
  const layouts: Array<[string, Record<string, string>, string]> = [
    ['pytest.ini', { 'pytest.ini': '[pytest]\naddopts = -q\n' }, 'pytest.ini; 2 tests in tests/test_router.py'],
    ['pyproject.toml', { 'pyproject.toml': '[project]\nname = "router"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n' }, 'pyproject.toml; 2 tests in tests/test_router.py'],
    ['setup.cfg', { 'setup.cfg': '[metadata]\nname = router\n\n[tool:pytest]\ntestpaths = tests\n' }, 'setup.cfg; 2 tests in tests/test_router.py'],
    ['conftest.py', { 'conftest.py': 'import sys\n' }, 'conftest.py; 2 tests in tests/test_router.py'],
    ['tests/ alone', {}, '2 tests in tests/test_router.py'],
  ];
  for (const [label, extra, found] of layouts) {
    const { result, config, loaded } = await init({ 'agent/__init__.py': '', 'agent/router.py': ROUTER_PY, 'tests/test_router.py': TESTS_PY, ...extra });
    assert.deepEqual(loaded.evals.map((e) => [e.name, e.holdout]), [['pytest', false], ['pytest.holdout', true]], 'the split: a train view and a holdout view of the one report');
    assert.equal(result.guessedFrom, `a pytest suite (${found})`, label);
    assert.equal(result.evalCommand, 'python3 -m pytest -q --junitxml=$AIAI_REPORT_FILE', label);
    assert.deepEqual(evals(config), [{ name: 'pytest', command: 'python3 -m pytest -q --junitxml=$AIAI_REPORT_FILE', format: 'junit', split: { holdout: 0.3 }, timeoutSec: 600 }], label);
    assert.match(config, /"objective": \{ "eval": "pytest", "metric": "pass_rate"/, label);
    assert.match(config, /"proposer": \{ "kind": "anthropic" \}/, 'a suite has no knobs, so a model proposes');
    assert.deepEqual(result.editable, ['agent/**'], label);
    // The runner's settings are protected with the tests: a change to them could deselect a failing test.
    assert.deepEqual(result.protected, [...Object.keys(extra), 'tests/**'], label);
    assert.equal(result.notes[0], `editable: agent/** (tests/test_router.py imports agent/router.py); protected: ${[...Object.keys(extra), 'tests/**'].join(', ')}`, label);
    assert.match(result.notes[1]!, /^objective: pass_rate of "pytest"; each eval holds out 30% of its cases/);
    assert.match(result.notes[2]!, /set ANTHROPIC_API_KEY before `aiai run`$/);
  }
});

test('init says when python3 cannot run pytest, as on a machine without python3', async () => {
  const dir = makeRepo({ 'agent/__init__.py': '', 'agent/router.py': ROUTER_PY, 'tests/test_router.py': TESTS_PY });
  const result = cliWithEnv({ PATH: tempDir() }, dir, 'init', '--json');
  assert.equal(result.code, 0, result.stderr);
  const notes = (JSON.parse(result.stdout) as InitResult).notes;
  assert.ok(notes.includes("pytest: python3 here cannot import pytest; install it (pip install pytest, or Debian's python3-pytest) before `aiai run`"), notes.join('\n'));
});

test('test files without a test function make no suite, and a project\'s own eval script comes before its tests', async () => {
  const empty = await init({ 'pyproject.toml': '[project]\nname = "x"\n', 'agent/core.py': '', 'tests/test_core.py': 'from agent.core import *\n' });
  assert.equal(empty.result.guessedFrom, 'pyproject.toml', 'pytest would collect nothing: the earlier guess stands');
  const own = await init({
    'package.json': JSON.stringify({ scripts: { eval: 'node eval/score.mjs', test: 'vitest run' }, devDependencies: { vitest: '^4.1.12' } }),
    'src/router.js': '', 'src/router.test.js': "import { test } from 'vitest';\ntest('a', () => {});\n",
  });
  assert.equal(own.result.guessedFrom, 'package.json (scripts.eval)');
  assert.equal(own.result.evalCommand, 'npm run --silent eval');
});

test('Python tests beside the agent\'s code are protected by their names, not by protecting the folder', async () => {
  const { result } = await init({ 'router.py': ROUTER_PY, 'test_router.py': TESTS_PY.replace('agent.router', 'router'), 'agent/test_more.py': 'def test_more():\n    pass\n', 'agent/tools.py': '' });
  assert.deepEqual(result.protected, ['**/test_*.py', '**/*_test.py']);
  assert.deepEqual(result.editable, ['agent/**', 'router.py'], 'the conventional agent folder, and the module the tests import');
});

test('vitest in devDependencies: its JUnit reporter, the tests and config protected, node_modules shared, and what to install', async () => {
  const files = {
    'package.json': JSON.stringify({ type: 'module', devDependencies: { vitest: '^4.1.12' } }),
    'vitest.config.ts': 'export default {};\n',
    'src/router.js': 'export const route = (t) => (t.includes("refund") ? "billing" : "normal");\n',
    'src/router.test.js': "import { test, expect } from 'vitest';\nimport { route } from './router.js';\ntest('refund', () => expect(route('refund')).toBe('billing'));\n",
  };
  const { result, config } = await init(files);
  assert.equal(result.guessedFrom, 'a vitest suite (package.json (devDependencies); vitest.config.ts; test files src/router.test.js)');
  assert.deepEqual(evals(config), [{ name: 'vitest', command: 'npx vitest run --reporter=junit --outputFile=$AIAI_REPORT_FILE', format: 'junit', split: { holdout: 0.3 }, timeoutSec: 600 }]);
  assert.deepEqual(result.editable, ['src/**']);
  assert.deepEqual(result.protected, ['**/*.test.*', '**/*.spec.*', '**/__tests__/**', 'package.json', 'vitest.config.ts']);
  assert.ok(result.notes.includes('vitest: not installed here (no node_modules/.bin/vitest): run npm install before `aiai run`; evaluations run without the network, so npx cannot fetch it'), result.notes.join('\n'));
  assert.doesNotMatch(config, /"shared"/, 'no node_modules to link');

  const dir = makeRepo(files);
  mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  writeFiles(dir, { 'node_modules/.bin/vitest': '' });
  const installed = await initWorkspace(dir);
  assert.ok(!installed.notes.some((n) => n.startsWith('vitest:')), installed.notes.join('\n'));
  assert.match(readFileSync(path.join(dir, '.aiai', 'config.json'), 'utf8'), /^ {2}"shared": \["node_modules"\],$/m, "the runner in the workspace's node_modules is linked into each worktree");
});

test('jest named only in scripts: jest-junit through its environment variable, and a note that jest-junit must be installed', async () => {
  const { result, config } = await init({
    'package.json': JSON.stringify({ scripts: { test: 'jest --coverage' } }),
    'lib/router.js': 'module.exports = { route: () => "normal" };\n',
    '__tests__/router.js': "const { route } = require('../lib/router');\ntest('r', () => expect(route('x')).toBe('normal'));\n",
  });
  assert.equal(result.guessedFrom, 'a jest suite (package.json (scripts); test files __tests__/router.js)');
  assert.equal(evals(config)[0]!.command, "JEST_JUNIT_OUTPUT_FILE=$AIAI_REPORT_FILE JEST_JUNIT_CLASSNAME='{filepath}' npx jest --reporters=default --reporters=jest-junit");
  assert.deepEqual(result.editable, ['lib/**']);
  assert.deepEqual(result.protected, ['__tests__/**', 'package.json']);
  assert.ok(result.notes.includes('jest: its JUnit report comes from jest-junit, which package.json does not name: npm install --save-dev jest-junit before `aiai run`'), result.notes.join('\n'));
});

test('a Go module with tests: go test through go-junit-report, which init says to install when it is not on PATH', async () => {
  const { result, config } = await init({
    'go.mod': 'module example.com/router\n\ngo 1.22\n',
    'router.go': 'package router\n\nfunc Route(t string) string { return "normal" }\n',
    'router_test.go': 'package router\n\nimport "testing"\n\nfunc TestRoute(t *testing.T) {}\n\nfunc TestSpam(t *testing.T) {}\n',
    'testdata/tickets.txt': 'refund\n',
  });
  assert.equal(result.guessedFrom, 'a go suite (go.mod; 2 tests in router_test.go)');
  assert.deepEqual(evals(config), [{ name: 'go', command: 'go test ./... -v 2>&1 | go-junit-report > $AIAI_REPORT_FILE', format: 'junit', split: { holdout: 0.3 }, timeoutSec: 600 }]);
  assert.deepEqual(result.editable, ['**/*.go']);
  assert.deepEqual(result.protected, ['**/*_test.go', '**/testdata/**', 'go.mod', 'go.sum']);
  assert.ok(result.notes.some((n) => /^go: `go test` writes no JUnit XML, and go-junit-report, .* is not on PATH: install it \(go install github\.com\/jstemmer\/go-junit-report\/v2@latest\)/.test(n)), result.notes.join('\n'));
});

const PROMPTFOO_YAML = `# Routes support tickets.
description: ticket router
prompts:
  - file://prompts/route.txt
  - id: 'file://prompts/route_strict.txt'
    label: strict
  - "Inline: {{ticket}}"   # a prompt written in the config
providers:
  - id: 'exec: python3 agent/model.py'
tests: file://tests/cases.yaml
defaultTest:
  vars:
    policy: file://data/policy.md
`;

test('a promptfoo config: promptfoo eval with its JSON results, the prompt files it names editable, the config and tests protected', async () => {
  const { result, config } = await init({
    'promptfooconfig.yaml': PROMPTFOO_YAML,
    'prompts/route.txt': 'Route: {{ticket}}\n',
    'prompts/route_strict.txt': 'Route strictly: {{ticket}}\n',
    'agent/model.py': 'print("normal")\n',
    'tests/cases.yaml': '- vars: { ticket: refund }\n  assert: [{ type: equals, value: billing }]\n',
    'data/policy.md': 'Refunds go to billing.\n',
  });
  assert.equal(result.guessedFrom, 'a promptfoo config (promptfooconfig.yaml; prompts prompts/route.txt, prompts/route_strict.txt; tests tests/cases.yaml, data/policy.md)');
  assert.deepEqual(evals(config), [{ name: 'promptfoo', command: 'PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CONFIG_DIR=$TMPDIR/promptfoo npx promptfoo eval -c promptfooconfig.yaml -o $AIAI_REPORT_FILE --no-cache --no-progress-bar', format: 'promptfoo', split: { holdout: 0.3 }, timeoutSec: 600 }]);
  assert.deepEqual(result.editable, ['agent/**', 'prompts/**']);
  assert.deepEqual(result.protected, ['promptfooconfig.yaml', 'tests/cases.yaml', 'data/policy.md']);
  assert.deepEqual(result.notes.slice(3), [
    'promptfoo: some prompts are written inline in promptfooconfig.yaml, which is protected; only those in files are editable',
    'promptfoo: the providers run agent/model.py; add it to "editable" if it is your agent\'s code',
    'promptfoo: not installed here (no node_modules/.bin/promptfoo): npm install --save-dev promptfoo before `aiai run`; evaluations run without the network, so npx cannot fetch it',
  ]);

  const flow = await init({ 'promptfooconfig.yml': 'prompts: [file://prompts/a.txt, "file://prompts/b.txt"]\nproviders: [echo]\ntests:\n- file://tests/*.yaml\n', 'prompts/a.txt': 'A\n', 'prompts/b.txt': 'B\n' });
  assert.equal(flow.result.evalCommand, 'PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CONFIG_DIR=$TMPDIR/promptfoo npx promptfoo eval -c promptfooconfig.yml -o $AIAI_REPORT_FILE --no-cache --no-progress-bar');
  assert.deepEqual(flow.result.editable, ['prompts/**'], 'the prompts folder holds the files the config names');
  assert.deepEqual(flow.result.protected, ['promptfooconfig.yml', 'tests/*.yaml']);

  // Paths without file://, which promptfoo reads as files too.
  const bare = await init({ 'promptfooconfig.yaml': 'prompts:\n  - templates/route.txt\ntests: cases.csv\n', 'templates/route.txt': 'Route\n', 'cases.csv': 'ticket,__expected\n' });
  assert.deepEqual([bare.result.editable, bare.result.protected], [['templates/route.txt'], ['promptfooconfig.yaml', 'cases.csv']]);
  assert.ok(!bare.result.notes.some((n) => /inline|names no prompt file/.test(n)), bare.result.notes.join('\n'));
});

test('a promptfoo config beside a pytest suite: an eval for each, the promptfoo one the objective', async () => {
  const { result, config } = await init({ 'promptfooconfig.yaml': 'prompts:\n  - file://prompts/route.txt\n', 'prompts/route.txt': 'Route\n', 'agent/__init__.py': '', 'agent/router.py': ROUTER_PY, 'tests/test_router.py': TESTS_PY });
  assert.deepEqual(evals(config).map((e) => e.name), ['promptfoo', 'pytest']);
  assert.match(config, /"objective": \{ "eval": "promptfoo"/);
  assert.equal(result.notes[0], 'also pytest (2 tests in tests/test_router.py): eval "pytest" runs python3 -m pytest -q --junitxml=$AIAI_REPORT_FILE');
  assert.deepEqual(result.protected, ['promptfooconfig.yaml', 'tests/**']);
  assert.deepEqual(result.editable, ['agent/**', 'prompts/**']);
});
