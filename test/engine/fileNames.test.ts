import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { runLoop } from '../../src/core/loop/loop';
import type { Edit } from '../../src/core/propose/edits';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, paramsStep, proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { git, snapshot } from '../helpers';

/*
 * File names a proposal may ask for that git or the file system would refuse later,
 * in the middle of building or checking out the candidate: the guard refuses each,
 * with its own reason, and the run goes on to the next proposal.
 */

before(() => ensureDebianPackages(['bubblewrap']));

test('a name git or the file system cannot take is refused by the guard with its own reason, and the run goes on', async () => {
  const dir = agentWorkspace();
  const before = snapshot(dir);
  const deep = `agent/${Array.from({ length: 21 }, () => 'd'.repeat(200)).join('/')}/notes.md`;
  const cases: Array<[string, string]> = [
    [`agent/${'a'.repeat(300)}.md`, 'a name in the path is 303 bytes long; file systems take at most 255'],
    [`agent/${'日'.repeat(100)}.md`, 'a name in the path is 303 bytes long; file systems take at most 255'],
    [deep, `the path is ${Buffer.byteLength(deep)} bytes long; at most 4095 are accepted`],
    ['agent/notes\n.md', 'the path holds a control character (\\n), which git would keep but no one could read in a list'],
    ['agent/notes\u001b[2K.md', 'the path holds a control character (\\u001b), which git would keep but no one could read in a list'],
    ['agent/notes\u009b2K.md', 'the path holds a control character (\\u009b), which git would keep but no one could read in a list'],
    ['agent/notes\ud800.md', 'the path is not valid Unicode (a lone surrogate), so it cannot be written as UTF-8'],
    ['agent/.git./config', 'git refuses this path: Windows reads the name ".git." as .git'],
    ['agent/GIT~1/config', 'git refuses this path: Windows reads the name "GIT~1" as .git'],
    ['agent/.git /config', 'git refuses this path: Windows reads the name ".git " as .git'],
    ['agent/.git::$INDEX_ALLOCATION/config', 'git refuses this path: Windows reads the name ".git::$INDEX_ALLOCATION" as .git'],
    ['agent/.g\u200cit/config', 'git refuses this path: macOS reads the name ".g\\u200cit" as .git, leaving out its invisible characters'],
  ];
  const proposer = new ScriptedProposer([
    ...cases.map(([file]) => () => proposal('an odd name', [{ path: file, search: '', replace: 'hello\n' }])),
    paramsStep('a plain change after them', { x: 6 }),
  ]);
  const summary = await runLoop(dir, { proposer, signal: new AbortController().signal, iterations: cases.length + 1 });

  assert.equal(summary.run.state, 'finished', summary.run.stopReason);
  for (const [i, [file, reason]] of cases.entries()) {
    const c = summary.candidates[i]!;
    assert.equal(c.status, 'refused', JSON.stringify(file));
    assert.equal(c.reason!.slice(c.reason!.indexOf(': ') + 2), reason, JSON.stringify(file));
    assert.equal(c.commit, undefined);
  }
  assert.equal(summary.candidates.length, cases.length + 1);
  assert.equal(summary.candidates.at(-1)!.status, 'pending', 'the proposal after them was built and graded');
  assert.equal(new Store(dir).candidates().length, cases.length + 1, 'every refusal is on record');
  assert.deepEqual(snapshot(dir), before);
  assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
});

test('a refused path is quoted with its control characters shown and its length cut, so the reason reads on one line', async () => {
  const dir = agentWorkspace();
  const summary = await runLoop(dir, {
    proposer: new ScriptedProposer([() => proposal('a line break', [{ path: 'agent/a\nb.md', search: '', replace: 'x' }]), () => proposal('long', [{ path: `agent/${'a'.repeat(400)}`, search: '', replace: 'x' }])]),
    signal: new AbortController().signal,
    iterations: 2,
  });
  const [newline, long] = summary.candidates;
  assert.ok(newline!.reason!.startsWith('"agent/a\\nb.md": '), newline!.reason);
  assert.ok(!long!.reason!.includes('a'.repeat(200)), long!.reason);
  assert.match(long!.reason!, /^"agent\/a+… \(\d+ more characters\): a name in the path is 400 bytes long/);
});

test('a path that is a folder, a submodule or a file of the parent is refused where it would replace one by the other: a protected file inside is never replaced', async () => {
  const dir = agentWorkspace({ files: { 'agent/keys/secret.txt': 'keep me\n' }, config: { protected: ['eval/**', 'agent/keys/secret.txt'] } });
  git(dir, 'update-index', '--add', '--cacheinfo', `160000,${git(dir, 'rev-parse', 'HEAD').trim()},agent/vendor`);
  git(dir, 'commit', '-qm', 'a submodule');
  const cases: Array<[Edit[], string]> = [
    [[write('agent/keys')], '"agent/keys": the path is a folder in the parent version; an edit changes a file'],
    [[write('agent/keys/secret.txt/notes.md')], '"agent/keys/secret.txt/notes.md": the path goes through a file of the parent version (agent/keys/secret.txt)'],
    [[write('agent/vendor')], '"agent/vendor": the path goes through a submodule (agent/vendor)'],
    [[write('agent/vendor/notes.md')], '"agent/vendor/notes.md": the path goes through a submodule (agent/vendor)'],
    [[write('agent/new'), write('agent/new/notes.md')], '"agent/new/notes.md": the proposal also writes "agent/new" as a file, where this path needs a folder'],
  ];
  const summary = await runLoop(dir, {
    proposer: new ScriptedProposer([...cases.map(([edits]) => () => proposal('over a folder', edits)), paramsStep('a plain change after them', { x: 6 })]),
    signal: new AbortController().signal,
    iterations: cases.length + 1,
  });
  assert.deepEqual(
    summary.candidates.map((c) => c.reason),
    [...cases.map(([, reason]) => reason), undefined],
  );
  assert.equal(summary.candidates.at(-1)!.status, 'pending');
});

function write(file: string): Edit {
  return { path: file, search: '', replace: 'x\n' };
}
