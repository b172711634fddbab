import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { ConfigError } from '../../src/core/common/errors';
import { parseConfig } from '../../src/core/config/config';
import { evalEnvironment, withheldNames } from '../../src/core/config/evalEnvironment';
import { runLoop } from '../../src/core/loop/loop';
import { ScriptedProposer } from '../fixtures/agentWorkspace';
import { configJson, makeRepo } from '../helpers';

/*
 * Least privilege for evaluations (sandbox.mode "required"): an eval sees a few
 * variables of aiai's environment and those sandbox.env names; neither the person's
 * checkout nor their home folder, but for the toolchains there and what
 * sandbox.readable names. RELIABILITY.md tabulates these cases.
 */

before(() => ensureDebianPackages(['bubblewrap']));

/** What a test made outside its temp folders (a checkout, marker files in the home folder), removed at the end. */
const made: string[] = [];
after(() => {
  for (const p of made) rmSync(p, { recursive: true, force: true });
});

/**
 * A person's checkout, outside /tmp and the home folder (which the sandbox hides for
 * their own sake), as one usually is.
 */
function checkoutFolder(): string {
  mkdirSync('/srv', { recursive: true });
  const dir = mkdtempSync('/srv/aiai-privilege-');
  made.push(dir);
  return dir;
}

/** Makes `rel` in the real home folder unless it exists (what exists is left alone), to be removed at the end. */
function plant(rel: string, content = 'MARKER-NOT-A-REAL-SECRET\n'): string {
  const file = path.join(os.homedir(), rel);
  if (existsSync(file)) return file;
  let top = file;
  for (let dir = path.dirname(file); !existsSync(dir); dir = path.dirname(dir)) top = dir;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  made.push(top);
  return file;
}

/** An eval that reports as metrics which paths of eval/probe.json it reads, which variables it has and which commands run; its environment goes to its log. */
const PROBE_JS = `
const fs = require('fs');
const { spawnSync } = require('child_process');
const probe = JSON.parse(fs.readFileSync('eval/probe.json', 'utf8'));
const read = (p) => { try { return fs.statSync(p).isDirectory() ? Math.min(1, fs.readdirSync(p).length) : (fs.readFileSync(p), 1); } catch { return 0; } };
const metrics = { score: 1 };
for (const [name, p] of Object.entries(probe.paths ?? {})) metrics['read_' + name] = read(p);
for (const name of probe.vars ?? []) metrics['has_' + name] = process.env[name] === undefined ? 0 : 1;
for (const [name, command] of Object.entries(probe.runs ?? {})) metrics['runs_' + name] = spawnSync('/bin/sh', ['-c', command], { stdio: 'ignore' }).status === 0 ? 1 : 0;
console.error(JSON.stringify(process.env));
console.log(JSON.stringify(metrics));
`;

interface Probe {
  paths?: Record<string, string>;
  vars?: string[];
  runs?: Record<string, string>;
}

function probeWorkspace(probe: Probe, sandbox: Record<string, unknown>, dir?: string): string {
  return makeRepo(
    {
      'agent/params.json': '{ "x": 2 }\n',
      'eval/probe.js': PROBE_JS,
      'eval/probe.json': `${JSON.stringify(probe)}\n`,
      '.gitignore': '.env\nnotes/\n',
      '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\n',
      '.aiai/config.json': configJson({
        editable: ['agent/**'],
        protected: ['eval/**'],
        evals: [{ name: 'probe', command: 'node eval/probe.js', timeoutSec: 60 }],
        objective: { eval: 'probe', metric: 'score' },
        sandbox: { mode: 'required', ...sandbox },
      }),
    },
    dir,
  );
}

/** The baseline's probe: its metrics, its log and the run's notices. */
async function baseline(dir: string): Promise<{ metrics: Record<string, number>; log: string; notices: string[] }> {
  const notices: string[] = [];
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([]), iterations: 1, signal: new AbortController().signal, onEvent: (e) => e.type === 'notice' && notices.push(e.message) });
  const evaluation = summary.run.baseline!.evals[0]!;
  const log = readFileSync(evaluation.logFile, 'utf8');
  assert.equal(evaluation.status, 'passed', log);
  return { metrics: evaluation.metrics, log, notices };
}

/** Runs `fn` with `vars` in this process's environment, as if exported in aiai's shell. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const SECRETS = { GITHUB_TOKEN: 'ghp_NOT-A-REAL-TOKEN-7f3a', AWS_SECRET_ACCESS_KEY: 'NOT-A-REAL-AWS-SECRET-91c2' };

test("an exported variable that sandbox.env does not name is absent from every eval; the run names it once, never its value", async () => {
  await withEnv({ ...SECRETS, PRIVILEGE_PASSED: 'passed-value' }, async () => {
    const vars = ['GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'PRIVILEGE_PASSED', 'PATH', 'HOME', 'AIAI_METRICS_FILE'];
    for (const mode of ['required', 'off']) {
      const { metrics, log, notices } = await baseline(probeWorkspace({ vars }, { mode, env: ['PRIVILEGE_PASSED'] }));
      assert.equal(metrics.has_GITHUB_TOKEN, 0, mode);
      assert.equal(metrics.has_AWS_SECRET_ACCESS_KEY, 0, mode);
      assert.equal(metrics.has_PRIVILEGE_PASSED, 1, `${mode}: a name in sandbox.env passes`);
      assert.equal(metrics.has_PATH, 1);
      assert.equal(metrics.has_HOME, 1);
      assert.equal(metrics.has_AIAI_METRICS_FILE, 1);
      assert.match(log, /"PRIVILEGE_PASSED":"passed-value"/);
      for (const value of Object.values(SECRETS)) assert.ok(!log.includes(value), `${mode}: the eval's log holds no secret`);

      const withheld = notices.filter((n) => n.startsWith('evaluations do not see '));
      assert.equal(withheld.length, 1, 'said once');
      assert.match(withheld[0]!, /^evaluations do not see \d+ variable\(s\) of this environment: .*\bAWS_SECRET_ACCESS_KEY\b.*\bGITHUB_TOKEN\b.* \(name them in sandbox\.env to pass them\)$/);
      assert.doesNotMatch(withheld[0]!, /PRIVILEGE_PASSED|\bPATH\b/);
      for (const value of Object.values(SECRETS)) assert.ok(!withheld[0]!.includes(value), 'never a value');
    }
  });
});

test('sandbox.env as an object sets its values for the eval, over what aiai has', async () => {
  await withEnv({ ...SECRETS, PRIVILEGE_LITERAL: 'from-aiai' }, async () => {
    const { metrics, log } = await baseline(probeWorkspace({ vars: ['PRIVILEGE_LITERAL', 'GITHUB_TOKEN'] }, { env: { PRIVILEGE_LITERAL: 'a literal, with "quotes"', GITHUB_TOKEN: 'a stand-in' } }));
    assert.equal(metrics.has_PRIVILEGE_LITERAL, 1);
    assert.match(log, /"PRIVILEGE_LITERAL":"a literal, with \\"quotes\\""/);
    assert.match(log, /"GITHUB_TOKEN":"a stand-in"/);
    assert.ok(!log.includes(SECRETS.GITHUB_TOKEN));
  });
});

/** Files of the home folder that the old deny-list missed, and one it had. */
const HOME_FILES = ['.bash_history', '.pgpass', '.cache/huggingface/token', '.cargo/credentials.toml', '.kaggle/kaggle.json', '.terraform.d/credentials.tfrc.json', '.npmrc'];

test("the person's checkout and home files outside the allow-list are unreadable from an eval, while python3 (pyenv) and node run", async () => {
  const root = checkoutFolder();
  const paths: Record<string, string> = {
    own: 'agent/params.json',
    dotenv: path.join(root, '.env'),
    runs: path.join(root, '.aiai', 'runs'),
    config: path.join(root, '.aiai', 'config.json'),
    gitConfig: path.join(root, '.git', 'config'),
    ...Object.fromEntries(HOME_FILES.map((rel) => [rel, plant(rel)])),
  };
  const pyenv = path.join(os.homedir(), '.pyenv', 'shims', 'python3');
  const runs = { python: "python3 -c 'import sys'", node: 'node -e 0', ...(existsSync(pyenv) ? { pyenv: `${pyenv} -c 'import sys'` } : {}) };
  const dir = probeWorkspace({ paths, runs }, {}, root);
  writeFileSync(path.join(root, '.env'), 'OPENAI_API_KEY=NOT-A-REAL-KEY\n');

  const { metrics } = await baseline(dir);
  assert.equal(metrics.read_own, 1, 'its own worktree');
  for (const name of Object.keys(paths).filter((n) => n !== 'own')) assert.equal(metrics[`read_${name}`], 0, `${name} is hidden`);
  for (const name of Object.keys(runs)) assert.equal(metrics[`runs_${name}`], 1, `${name} runs in the sandbox`);

  // The check is real: without the sandbox, the same probe reads them all (.aiai/runs holds the first run's records).
  const open = await baseline(probeWorkspace({ paths }, { mode: 'off' }));
  for (const name of Object.keys(paths)) assert.equal(open.metrics[`read_${name}`], 1, `${name} is readable without the sandbox`);
});

test('sandbox.readable shows a path of the home folder (~/…) or of the checkout, read-only', async () => {
  const root = checkoutFolder();
  const inHome = `aiai-privilege-readable-${process.pid}`;
  plant(path.join(inHome, 'data.txt'), 'data\n');
  mkdirSync(path.join(root, 'notes'));
  writeFileSync(path.join(root, 'notes', 'readme.txt'), 'notes\n');
  const paths = { home: path.join(os.homedir(), inHome, 'data.txt'), notes: path.join(root, 'notes', 'readme.txt'), dotenv: path.join(root, '.env'), npmrc: plant('.npmrc') };
  const write = `touch ${path.join(os.homedir(), inHome, 'written')}`;
  const dir = probeWorkspace({ paths, runs: { write } }, { readable: [`~/${inHome}`, path.join(root, 'notes')] }, root);
  writeFileSync(path.join(root, '.env'), 'OPENAI_API_KEY=NOT-A-REAL-KEY\n');

  const { metrics } = await baseline(dir);
  assert.deepEqual([metrics.read_home, metrics.read_notes, metrics.read_dotenv, metrics.read_npmrc], [1, 1, 0, 0]);
  assert.equal(metrics.runs_write, 0, 'read-only');
  assert.ok(!existsSync(path.join(os.homedir(), inHome, 'written')));
});

test("an eval's environment: the base names and sandbox.env from aiai's, then sandbox.env's values, then aiai's own on top", () => {
  const source = { PATH: '/bin', HOME: '/h', LC_ALL: 'C', 'LC_bad-name': 'x', AIAI_X: '1', SECRET: 's', NAMED: 'n', OVER: 'aiai', PWD: '/w', SHLVL: '2' };
  assert.deepEqual(evalEnvironment(source, ['NAMED', 'MISSING'], { AIAI_METRICS_FILE: '/m' }), { AIAI_METRICS_FILE: '/m', HOME: '/h', LC_ALL: 'C', NAMED: 'n', PATH: '/bin' });
  assert.deepEqual(evalEnvironment(source, { OVER: 'config', AIAI_METRICS_FILE: 'config' }, { AIAI_METRICS_FILE: '/m' }), { AIAI_METRICS_FILE: '/m', HOME: '/h', LC_ALL: 'C', OVER: 'config', PATH: '/bin' });
  // The shell's record of itself is no news.
  assert.deepEqual(withheldNames(source, ['NAMED']), ['AIAI_X', 'LC_bad-name', 'OVER', 'SECRET'], "aiai's own variables are set for an eval, never inherited");
  assert.deepEqual(withheldNames(source, { OVER: 'config' }), ['AIAI_X', 'LC_bad-name', 'NAMED', 'SECRET']);
});

test('sandbox.env and sandbox.readable mistakes, and a job option that would pass more variables, are reported at their line and column', () => {
  const file = '/ws/.aiai/config.json';
  const minimal = { editable: ['agent/**'], evals: [{ name: 'train', command: 'node score.js' }], objective: { eval: 'train', metric: 'accuracy' } };
  const text = (config: Record<string, unknown>): string => configJson({ ...minimal, ...config });
  const problems = (config: Record<string, unknown>): string[] => {
    try {
      parseConfig(text(config), file, '/ws');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message.split('\n');
    }
    assert.fail('the config was accepted');
  };
  /** Where `needle` starts in the config's text. */
  const where = (config: Record<string, unknown>, needle: string): string => {
    const lines = text(config).split('\n');
    const line = lines.findIndex((l) => l.includes(needle)) + 1;
    return `${file}:${line}:${lines[line - 1]!.indexOf(needle) + 1}`;
  };

  const badName = { sandbox: { env: ['HF_TOKEN', 'not-a-name'] } };
  assert.deepEqual(problems(badName), [`${where(badName, '"not-a-name"')}: sandbox.env: "not-a-name" is not a variable name (letters, digits and _, not starting with a digit)`]);
  const badKey = { sandbox: { env: { '1ST': 'x' } } };
  assert.deepEqual(problems(badKey), [`${where(badKey, '"1ST"')}: sandbox.env: "1ST" is not a variable name (letters, digits and _, not starting with a digit)`]);
  const badValue = { sandbox: { env: { HF_HOME: 42 } } };
  assert.deepEqual(problems(badValue), [`${where(badValue, '42')}: "sandbox.env.HF_HOME" must be a string`]);
  const relative = { sandbox: { readable: ['/opt/models', 'data/models'] } };
  assert.deepEqual(problems(relative), [`${where(relative, '"data/models"')}: sandbox.readable: "data/models" must be an absolute path, or start with ~/ for a path in the home folder`]);
  const key = { sandbox: { env: ['TEAM_CLAUDE_KEY'] }, models: { anthropic: { keyEnv: 'TEAM_CLAUDE_KEY' } } };
  assert.deepEqual(problems(key), [`${where(key, '"TEAM_CLAUDE_KEY"')}: sandbox.env: "TEAM_CLAUDE_KEY" holds a model's key, which never enters an eval: evals call their model through aiai's gateway, with a stand-in key`]);
  const exported = { executor: { kind: 'slurm', sharedDir: '/s', sbatchArgs: ['--export=ALL'] } };
  assert.deepEqual(problems(exported), [`${where(exported, '"--export=ALL"')}: executor.sbatchArgs may not set --export: a job gets only the variables an eval may see; name one in sandbox.env to pass it`]);

  const config = parseConfig(text({ sandbox: { env: ['HF_TOKEN'], readable: ['~', '~/models'] } }), file, '/ws');
  assert.deepEqual([config.sandbox.env, config.sandbox.readable], [['HF_TOKEN'], ['~', '~/models']]);
  assert.deepEqual([parseConfig(text({}), file, '/ws').sandbox.env, parseConfig(text({}), file, '/ws').sandbox.readable], [[], []]);
});

test("a service of the machine listening on a unix socket (the person's session bus, an agent, a container engine) cannot be reached from an eval", async () => {
  mkdirSync('/run/user', { recursive: true });
  const folder = mkdtempSync('/run/user/aiai-privilege-');
  made.push(folder);
  const socket = path.join(folder, 'bus');
  const server = net.createServer((c) => c.end('answered\n'));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const dir = probeWorkspace({ runs: { bus: `python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.connect('${socket}'); assert s.recv(8)"` } }, {});
    const { metrics } = await baseline(dir);
    assert.equal(metrics.runs_bus, 0, 'the socket is out of reach');
  } finally {
    server.close();
  }
});

test("a command of a node_modules/.bin on aiai's PATH in a temp folder runs in the sandbox, the package it links into with it", async () => {
  // As a package installed under /tmp (a fresh clone's cache, say): its .bin holds links into the packages beside it.
  const prefix = mkdtempSync('/tmp/aiai-tool-');
  made.push(prefix);
  mkdirSync(path.join(prefix, 'node_modules', 'tool', 'bin'), { recursive: true });
  mkdirSync(path.join(prefix, 'node_modules', '.bin'));
  writeFileSync(path.join(prefix, 'node_modules', 'tool', 'bin', 'tool.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  symlinkSync('../tool/bin/tool.sh', path.join(prefix, 'node_modules', '.bin', 'aiai-probe-tool'));
  const bin = path.join(prefix, 'node_modules', '.bin');
  const { metrics } = await withEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}` }, () => baseline(probeWorkspace({ runs: { tool: 'aiai-probe-tool' } }, {})));
  assert.equal(metrics.runs_tool, 1);
});
