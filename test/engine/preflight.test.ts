import assert from 'node:assert/strict';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runLoop } from '../../src/core/loop/loop';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cli, cliJson, commitAll, git } from '../helpers';

/* Knobs and globs are checked against the version a run changes, before its baseline; the working tree never breaks a command. */

test('an uncommitted edit that breaks a knob, or a deleted knob file, breaks no command', async () => {
  const dir = agentWorkspace({ config: { knobs: [{ file: 'agent/prompt.md', pattern: 'temperature (\\\\d+)', min: 0, max: 9, step: 1 }] }, files: { 'agent/prompt.md': 'temperature 3\\n' } });
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 6', { x: 6 }), paramsStep('x to 7', { x: 7 })]), signal: new AbortController().signal });
  const [first, second] = summary.candidates;
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'temperature 3\\ntemperature 4\\n');
  for (const args of [['list'], ['show', first!.id], ['versions']]) {
    const result = cli(dir, ...args);
    assert.equal(result.code, 0, `aiai ${args.join(' ')}: ${result.stderr}`);
  }
  rmSync(path.join(dir, 'agent', 'prompt.md'));
  assert.equal(cli(dir, 'reject', second!.id, '--reason', 'not now').code, 0);
  assert.equal(cliJson<Array<{ id: string }>>(dir, 'list').length, 2);
  git(dir, 'checkout', '--', 'agent/prompt.md');
  const approved = cli(dir, 'approve', first!.id);
  assert.equal(approved.code, 0, approved.stderr);
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'temperature 3\\ntemperature 5\\n');
  rmSync(path.join(dir, 'agent', 'params.json'));
  git(dir, 'checkout', '--', 'agent/params.json');
  assert.equal(cli(dir, 'rollback', 'v0').code, 1, 'rollback refuses over the uncommitted edit to an editable file, as it should');
  git(dir, 'checkout', '--', 'agent/prompt.md');
  assert.equal(cli(dir, 'rollback', 'v0').code, 0);
});

test('before the baseline runs: no editable file, a search without knobs, a knob out of range or behind a link are each refused with their place', () => {
  const noEditable = agentWorkspace({ config: { editable: ['prompts/**'] } });
  const a = cli(noEditable, 'run');
  assert.equal(a.code, 2);
  assert.match(a.stderr, /config\.json:\d+:\d+: no file of the current version \([0-9a-f]{8}\) matches the editable globs "prompts\/\*\*": a proposal could change nothing/);

  const noKnobs = agentWorkspace({ config: { knobs: [] } });
  const b = cli(noKnobs, 'run');
  assert.equal(b.code, 2);
  assert.match(b.stderr, /config\.json:\d+:\d+: the parameter search proposes by moving knobs, and the config declares none/);

  const outOfRange = agentWorkspace({ params: { x: 12 } });
  const c = cli(outOfRange, 'run');
  assert.equal(c.code, 2);
  assert.match(c.stderr, /config\.json:\d+:\d+: knob "x": its value in agent\/params\.json is 12, outside its range 0\.\.10/);

  const linked = agentWorkspace({ config: { knobs: [{ file: 'agent/link.json', jsonPointer: '/x', min: 0, max: 10, step: 1 }] } });
  symlinkSync('params.json', path.join(linked, 'agent', 'link.json'));
  commitAll(linked, 'a link to the params');
  const d = cli(linked, 'run');
  assert.equal(d.code, 2);
  assert.match(d.stderr, /config\.json:\d+:\d+: knob "x": file "agent\/link\.json" is a symbolic link; point the knob at the file itself/);
  for (const dir of [noEditable, noKnobs, outOfRange, linked]) assert.equal(git(dir, 'status', '--porcelain'), '', 'nothing was left behind');
});

test('a holdout eval that reads files every eval can see is named, with the files; listed in its "data", it is not', async () => {
  const evals = (data: string[]) => [
    { name: 'train', command: 'node eval/score.js train', timeoutSec: 20 },
    { name: 'holdout', command: 'node eval/score.js holdout eval/cases.jsonl', timeoutSec: 20, holdout: true, data },
  ];
  const files = { 'eval/cases.jsonl': '{"q": 1}\n', 'eval/holdout-answers.csv': 'q,a\n' };
  const notices = async (data: string[]): Promise<string[]> => {
    const messages: string[] = [];
    const dir = agentWorkspace({ config: { evals: evals(data) }, files });
    await runLoop(dir, { proposer: new ScriptedProposer([]), signal: new AbortController().signal, onEvent: (e) => void (e.type === 'notice' && messages.push(e.message)) });
    return messages.filter((m) => m.startsWith('holdout eval'));
  };
  assert.deepEqual(await notices([]), [
    'holdout eval "holdout" reads files that every eval can see, a candidate\'s code in a train eval too: eval/cases.jsonl, eval/holdout-answers.csv; list them in its "data" so that they are present only while it runs',
  ]);
  assert.deepEqual(await notices(['eval/cases.jsonl', 'eval/holdout-*.csv']), []);
});
