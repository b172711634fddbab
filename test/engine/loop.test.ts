import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runLoop, type LoopEvent } from '../../src/core/loop/loop';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, baseConfig, paramsStep, proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { commitAll, configJson, git, isAlive, snapshot, tempDir, waitForFile } from '../helpers';

function run(workspace: string, proposer: ScriptedProposer, extra: { signal?: AbortSignal; iterations?: number; onEvent?: (e: LoopEvent) => void } = {}) {
  return runLoop(workspace, {
    proposer,
    signal: extra.signal ?? new AbortController().signal,
    ...(extra.iterations ? { iterations: extra.iterations } : {}),
    ...(extra.onEvent ? { onEvent: extra.onEvent } : {}),
  });
}

function worktreeCount(dir: string): number {
  return git(dir, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree ')).length;
}

function candidateRefs(dir: string): string[] {
  return git(dir, 'for-each-ref', '--format=%(refname)', 'refs/aiai/').split('\n').filter(Boolean);
}

test('grades a candidate in its own worktree and records what a reviewer needs, leaving the checkout alone', async () => {
  const dir = agentWorkspace();
  const before = snapshot(dir);
  const head = git(dir, 'rev-parse', 'HEAD');
  const summary = await run(dir, new ScriptedProposer([paramsStep('raise x to 6', { x: 6 })]));

  const [c] = summary.candidates;
  assert.ok(c);
  assert.equal(c.status, 'pending');
  assert.equal(c.title, 'raise x to 6');
  assert.equal(c.rationale, 'because raise x to 6');
  assert.deepEqual(c.parent, { id: null, commit: head });
  assert.equal(c.base, head);
  assert.deepEqual(c.changedPaths, ['agent/params.json']);
  assert.match(c.diff, /^-  "x": 2$/m);
  assert.match(c.diff, /^\+  "x": 6$/m);
  assert.deepEqual(c.objective, { metric: 'score', value: 0.6, parent: 0.2, current: 0.2, delta: 0.4, deltaVsCurrent: 0.4 });
  assert.deepEqual(c.deltas.vsParent.train, { score: 0.4 });
  assert.deepEqual(c.deltas.vsCurrent.train, { score: 0.4 });
  assert.deepEqual(c.deltas.vsParent.holdout, { score: 0.4, holdout_only_metric: 0 });
  assert.deepEqual(c.cases.train!.newlyPassing, ['train-2', 'train-3', 'train-4', 'train-5']);
  assert.deepEqual(c.cases.train!.newlyFailing, []);
  assert.deepEqual(c.evaluation!.evals.map((e) => `${e.name}:${e.status}`), ['smoke:passed', 'train:passed', 'holdout:passed']);
  assert.ok(c.durationMs > 0);
  assert.ok(existsSync(c.evaluation!.evals[1]!.logFile));

  // The candidate lives under refs/aiai, and its content hash is its tree.
  assert.equal(git(dir, 'rev-parse', `refs/aiai/candidates/${c.id}`), c.commit);
  assert.equal(git(dir, 'rev-parse', `${c.commit}^{tree}`), c.contentHash);
  // The developer's branch, index and files are as they were; the worktree is gone.
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
  assert.equal(git(dir, 'status', '--porcelain'), '');
  assert.deepEqual(snapshot(dir), before);
  assert.equal(worktreeCount(dir), 1);
});

test('a candidate that does not improve is rejected by the loop and never sent to holdout', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, new ScriptedProposer([paramsStep('lower x', { x: 1 })]));
  const [c] = summary.candidates;
  assert.equal(c!.status, 'rejected');
  assert.equal(c!.reason, 'no improvement: score 0.2 → 0.1');
  assert.deepEqual(c!.evaluation!.evals.map((e) => e.name), ['smoke', 'train']);
});

test('a gate eval runs first and stops a weak candidate before train', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, new ScriptedProposer([paramsStep('zero', { x: 0 })]));
  const [c] = summary.candidates;
  assert.equal(c!.status, 'failed');
  assert.equal(c!.reason, 'smoke: gate: score 0 is below the minimum 0.1');
  assert.deepEqual(c!.evaluation!.evals.map((e) => e.name), ['smoke']);
});

test('holdout results and cases never reach a proposer', async () => {
  const dir = agentWorkspace();
  const proposer = new ScriptedProposer([paramsStep('up', { x: 6 }), paramsStep('up more', { x: 7 }), paramsStep('down', { x: 3 })]);
  const summary = await run(dir, proposer);
  assert.ok(summary.candidates.some((c) => c.evaluation?.evals.some((e) => e.holdout)), 'holdout evals did run');
  assert.equal(proposer.requests.length, 3);
  const seen = JSON.stringify(proposer.requests.map(({ readFile: _, signal: __, ...rest }) => rest));
  assert.ok(!seen.includes('HOLDOUT-SECRET'), 'no holdout case id');
  assert.ok(!seen.includes('holdout_only_metric'), 'no holdout metric');
  assert.ok(!seen.includes('"holdout"'), 'no holdout eval name');
  assert.deepEqual(Object.keys(proposer.requests[1]!.parent.metrics).sort(), ['smoke', 'train']);
  assert.equal(proposer.requests[2]!.history.length, 2);
});

test('better on train but worse on holdout is flagged overfit and left for a person to judge', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, new ScriptedProposer([paramsStep('memorise train', { x: 7, holdout: 1 })]));
  const [c] = summary.candidates;
  assert.equal(c!.status, 'pending');
  assert.deepEqual(c!.flags, ['overfit']);
});

test('an eval that rewrites its own grader is flagged tamper and not presented as an improvement', async () => {
  const dir = agentWorkspace();
  const grader = readFileSync(path.join(dir, 'eval/score.js'), 'utf8');
  const summary = await run(dir, new ScriptedProposer([paramsStep('tamper', { x: 9, tamper: true })]));
  const [c] = summary.candidates;
  assert.equal(c!.status, 'failed');
  assert.deepEqual(c!.flags, ['tamper']);
  assert.match(c!.reason!, /^tamper: the evaluation changed protected files \(eval\/score\.js\)/);
  assert.equal(readFileSync(path.join(dir, 'eval/score.js'), 'utf8'), grader);
  assert.equal(summary.best, undefined);
});

test('a crashing or unparsable eval fails the candidate with its log kept, and the run goes on', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, new ScriptedProposer([paramsStep('crash', { x: 5, crash: true }), paramsStep('garbage', { x: 5, garbage: true }), paramsStep('good', { x: 5 })]));
  const [crash, garbage, good] = summary.candidates;
  assert.equal(crash!.status, 'failed');
  assert.equal(crash!.reason, 'smoke: the command exited with code 3');
  assert.match(crash!.evaluation!.evals[0]!.logTail, /boom: the agent crashed/);
  assert.match(readFileSync(crash!.evaluation!.evals[0]!.logFile, 'utf8'), /boom: the agent crashed/);
  assert.equal(garbage!.status, 'failed');
  assert.match(garbage!.reason!, /^smoke: unparsable output/);
  assert.equal(good!.status, 'pending');
});

test('without a metrics file, the last JSON line of stdout is the metrics', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, new ScriptedProposer([paramsStep('stdout only', { x: 5, stdoutOnly: true })]));
  const [c] = summary.candidates;
  assert.equal(c!.status, 'pending');
  assert.deepEqual(c!.evaluation!.evals[1]!.metrics, { score: 0.5 });
  assert.deepEqual(c!.evaluation!.evals[1]!.cases, []);
});

// These tests watch the eval from outside through files it writes there, so they run
// it without the sandbox (which would keep such writes in): they cover the limits
// that hold when no sandbox is available. test/unit/faults.test.ts covers the sandbox.
const NO_SANDBOX = { sandbox: { mode: 'off' } };

test('an eval that hangs is killed at its timeout together with its children; the candidate says timeout', async () => {
  const dir = agentWorkspace({ config: { ...NO_SANDBOX, evals: [{ name: 'train', command: 'node eval/score.js train', timeoutSec: 1 }] } });
  const pidFile = path.join(tempDir(), 'child.pid');
  const summary = await run(dir, new ScriptedProposer([paramsStep('hang', { x: 5, hang: pidFile })]));
  const [c] = summary.candidates;
  assert.equal(c!.status, 'failed');
  assert.equal(c!.reason, 'train: timeout: killed after 1s with every process it started');
  assert.equal(c!.evaluation!.evals[0]!.status, 'timeout');
  const child = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(isAlive(child), false, `the eval's child ${child} was killed`);
  assert.equal(worktreeCount(dir), 1);
});

test('patience stops a run after N candidates in a row without improvement', async () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 6, patience: 2 } } });
  const summary = await run(dir, new ScriptedProposer([paramsStep('a', { x: 1 }), paramsStep('b', { x: 1, y: 1 }), paramsStep('c', { x: 9 })]));
  assert.equal(summary.candidates.length, 2);
  assert.equal(summary.run.stopReason, 'no improvement in 2 candidates in a row (patience)');
});

test('the next parent is the best candidate so far', async () => {
  const dir = agentWorkspace();
  const proposer = new ScriptedProposer([paramsStep('up', { x: 5 }), paramsStep('worse', { x: 3 }), paramsStep('up again', { x: 8 })]);
  const summary = await run(dir, proposer);
  const [first] = summary.candidates;
  assert.equal(proposer.requests[1]!.parent.id, first!.id);
  assert.equal(proposer.requests[2]!.parent.id, first!.id);
  assert.equal(summary.candidates[2]!.objective!.parent, 0.5);
  assert.equal(summary.best!.id, summary.candidates[2]!.id);
});

test('every guard case is refused and recorded before anything is written', async () => {
  const outside = tempDir('aiai-outside-');
  const dir = agentWorkspace();
  symlinkSync(outside, path.join(dir, 'agent', 'link'));
  commitAll(dir, 'a symlink out of the workspace');
  const before = snapshot(dir);
  const absolute = path.join(outside, 'absolute.txt');
  const cases: Array<[string, RegExp]> = [
    ['eval/score.js', /the path is protected/],
    ['notes.txt', /outside the editable globs/],
    ['../escape.txt', /escapes the workspace/],
    ['agent/../../escape.txt', /escapes the workspace/],
    [absolute, /absolute paths are refused/],
    ['agent/link/pwned.txt', /goes through a symbolic link \(agent\/link\)/],
    ['.git/hooks/pre-commit', /\.git is always protected/],
    ['agent/.git/config', /\.git is always protected/],
    ['.aiai/config.json', /\.aiai is always protected/],
  ];
  const proposer = new ScriptedProposer(cases.map(([file]) => () => proposal(`write ${file}`, [{ path: file, search: '', replace: 'pwned\n' }])));
  const summary = await run(dir, proposer, { iterations: cases.length });

  assert.equal(summary.candidates.length, cases.length);
  for (const [i, [file, reason]] of cases.entries()) {
    const c = summary.candidates[i]!;
    assert.equal(c.status, 'refused', file);
    assert.match(c.reason!, reason, file);
    assert.equal(c.commit, undefined, `${file}: no commit was made`);
  }
  const recorded = new Store(dir).candidates().filter((c) => c.status === 'refused');
  assert.equal(recorded.length, cases.length);
  assert.deepEqual(snapshot(dir), before);
  assert.deepEqual(readdirSync(outside), []);
  assert.equal(existsSync(path.join(path.dirname(dir), 'escape.txt')), false);
  assert.equal(existsSync(path.join(dir, '.git', 'hooks', 'pre-commit')), false);
  assert.deepEqual(candidateRefs(dir), []);
  assert.equal(worktreeCount(dir), 1);
});

test('an edit whose search text does not match fails one candidate and the run goes on', async () => {
  const dir = agentWorkspace();
  const summary = await run(
    dir,
    new ScriptedProposer([
      () => proposal('bad search', [{ path: 'agent/prompt.md', search: 'not in the file', replace: 'x' }]),
      () => ({ kind: 'invalid', reason: 'the reply had no tool call' }),
      paramsStep('good', { x: 5 }),
    ]),
  );
  assert.deepEqual(summary.candidates.map((c) => c.status), ['failed', 'failed', 'pending']);
  assert.equal(summary.candidates[0]!.reason, 'invalid-proposal: edit 1 (agent/prompt.md): search text must match exactly once, but it matches 0 times');
  assert.equal(summary.candidates[1]!.reason, 'invalid-proposal: the reply had no tool call');
});

test('a stop discards the candidate in flight: no record, no ref, no worktree, no process', async () => {
  const dir = agentWorkspace({ config: NO_SANDBOX });
  const marker = path.join(tempDir(), 'eval.pid');
  const controller = new AbortController();
  const proposer = new ScriptedProposer([paramsStep('good', { x: 5 }), paramsStep('blocks', { x: 6, block: marker })]);
  const running = run(dir, proposer, { signal: controller.signal });
  await waitForFile(marker);
  controller.abort();
  const summary = await running;

  assert.equal(summary.run.state, 'interrupted');
  assert.equal(summary.candidates.length, 1);
  assert.equal(new Store(dir).candidates().length, 1);
  assert.deepEqual(candidateRefs(dir), [`refs/aiai/candidates/${summary.candidates[0]!.id}`]);
  assert.equal(worktreeCount(dir), 1);
  assert.equal(isAlive(Number(readFileSync(marker, 'utf8'))), false);
  assert.equal(existsSync(path.join(dir, '.aiai', 'run.lock')), false);
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('a second loop on the same workspace is refused while the first runs', async () => {
  const dir = agentWorkspace();
  writeFileSync(path.join(dir, '.aiai', 'run.lock'), String(process.pid));
  await assert.rejects(run(dir, new ScriptedProposer([])), /another aiai loop \(pid \d+\) is running on this workspace/);
});

test('a lock left by a dead loop does not block the next run', async () => {
  const dir = agentWorkspace();
  writeFileSync(path.join(dir, '.aiai', 'run.lock'), '999999999');
  const summary = await run(dir, new ScriptedProposer([paramsStep('up', { x: 5 })]));
  assert.equal(summary.candidates[0]!.status, 'pending');
});

test('a broken baseline stops the run with the eval log', async () => {
  const dir = agentWorkspace({ params: { crash: true } });
  await assert.rejects(run(dir, new ScriptedProposer([])), (error: Error) => {
    assert.match(error.message, /the baseline evaluation failed, so there is nothing to improve on: smoke: the command exited with code 3/);
    assert.match(error.message, /boom: the agent crashed/);
    return true;
  });
});

test('an objective metric the eval does not report is named, with what it did report', async () => {
  const dir = agentWorkspace({ config: { objective: { eval: 'train', metric: 'acuracy' } } });
  await assert.rejects(run(dir, new ScriptedProposer([])), /eval "train" reported no "acuracy" metric \(it reported: score\)/);
});

test('config changes between runs are picked up, and each run keeps its own records', async () => {
  const dir = agentWorkspace();
  await run(dir, new ScriptedProposer([paramsStep('up', { x: 5 })]));
  writeFileSync(path.join(dir, '.aiai', 'config.json'), configJson(baseConfig({ objective: { eval: 'train', metric: 'score', minDelta: 0.5 } })));
  commitAll(dir, 'demand more');
  const second = await run(dir, new ScriptedProposer([paramsStep('up a little', { x: 5 })]));
  assert.equal(second.candidates[0]!.status, 'rejected');
  assert.equal(second.candidates[0]!.reason, 'no improvement: score 0.2 → 0.5 (needs a gain of at least 0.5)');
  assert.equal(new Store(dir).runs().length, 2);
});

test('a candidate with the same content as an earlier one is not evaluated again', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, new ScriptedProposer([paramsStep('to 5', { x: 5 }), paramsStep('to 6', { x: 6 }), paramsStep('back to 5', { x: 5 })]), { iterations: 3 });
  const [five, , again] = summary.candidates;
  assert.equal(again!.contentHash, five!.contentHash);
  assert.equal(again!.evaluatedAs, five!.id);
  assert.deepEqual(again!.evaluation, five!.evaluation);
  assert.equal(again!.status, 'rejected', 'graded against its own parent (0.6)');
  assert.equal(summary.run.savings.reusedEvaluations, 1);
  const logs = readdirSync(path.join(dir, '.aiai', 'runs', summary.run.id, 'logs'));
  assert.ok(!logs.some((f) => f.startsWith(again!.id)), 'no eval ran for it');
});

test('a proposal of a change already tried is refused as a duplicate before evaluation', async () => {
  const dir = agentWorkspace();
  const lower = (spaces: string) => () => proposal('lower x', [{ path: 'agent/params.json', search: '"x": 2', replace: `"x":${spaces}1` }]);
  const summary = await run(dir, new ScriptedProposer([lower(' '), lower('    ')]), { iterations: 2 });
  const [first, second] = summary.candidates;
  assert.equal(first!.status, 'rejected');
  assert.equal(second!.status, 'rejected');
  assert.deepEqual(second!.flags, ['duplicate']);
  assert.equal(second!.reason, `duplicate: the same change as candidate ${first!.id}, not evaluated again`);
  assert.equal(second!.evaluation, undefined);
  assert.equal(summary.run.savings.duplicates, 1);
});

test('the cascade counts the evals it spared, and budget.maxMinutes stops the run', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, new ScriptedProposer([paramsStep('zero', { x: 0 }), paramsStep('lower', { x: 1 })]), { iterations: 2 });
  // zero fails the smoke gate (train and holdout spared); lower does not improve (holdout spared).
  assert.equal(summary.run.savings.skippedEvals, 3);
  assert.ok(summary.run.savings.skippedEvalMs > 0);

  const timed = agentWorkspace({ config: { budget: { iterations: 5, maxMinutes: 0.000001 } } });
  const stopped = await run(timed, new ScriptedProposer([paramsStep('up', { x: 5 })]));
  assert.equal(stopped.candidates.length, 0);
  assert.equal(stopped.run.stopReason, 'time budget: the run has used its 0.000001 minutes');
});

test('each run evaluates its baseline again, and says so, unless the config says the evals are deterministic', async () => {
  const dir = agentWorkspace();
  await run(dir, new ScriptedProposer([paramsStep('up', { x: 5 })]));
  const events: LoopEvent[] = [];
  const second = await run(dir, new ScriptedProposer([paramsStep('up more', { x: 7 })]), { onEvent: (e) => events.push(e) });
  assert.ok(events.some((e) => e.type === 'notice' && /^evaluating the current version again \(run .* measured it too\): its score may depend on something outside git; set "deterministic": true/.test(e.message)));
  assert.equal(second.run.savings.reusedEvaluations, 0);
  const logs = readdirSync(path.join(dir, '.aiai', 'runs', second.run.id, 'logs'));
  assert.ok(logs.some((f) => f.startsWith('baseline')), 'the baseline was evaluated again');
});

test('with deterministic evals an earlier baseline is reused, unless a shared folder changed', async () => {
  const dir = agentWorkspace({ config: { deterministic: true, shared: ['data'] }, files: { 'data/.gitkeep': '' } });
  writeFileSync(path.join(dir, 'data', 'cases.txt'), 'version 1\n');
  await run(dir, new ScriptedProposer([paramsStep('up', { x: 5 })]));
  const events: LoopEvent[] = [];
  const second = await run(dir, new ScriptedProposer([paramsStep('up more', { x: 7 })]), { onEvent: (e) => events.push(e) });
  assert.ok(events.some((e) => e.type === 'notice' && /evaluated by run .* under the same evals and shared folders, which the config says are deterministic; its results are reused/.test(e.message)));
  assert.equal(second.run.savings.reusedEvaluations, 1);
  const logs = readdirSync(path.join(dir, '.aiai', 'runs', second.run.id, 'logs'));
  assert.ok(!logs.some((f) => f.startsWith('baseline')), 'the baseline was not evaluated again');
  assert.equal(second.candidates[0]!.objective!.parent, 0.2);

  writeFileSync(path.join(dir, 'data', 'cases.txt'), 'version 2, with more cases\n');
  const third = await run(dir, new ScriptedProposer([paramsStep('up again', { x: 8 })]));
  assert.equal(third.run.savings.reusedEvaluations, 0, 'the data the evals read changed: evaluated again');
  assert.ok(readdirSync(path.join(dir, '.aiai', 'runs', third.run.id, 'logs')).some((f) => f.startsWith('baseline')));
});

test('a proposal of ten thousand files is refused before anything is built', async () => {
  const dir = agentWorkspace();
  const before = snapshot(dir);
  const edits = Array.from({ length: 10_000 }, (_, i) => ({ path: `agent/generated/f${i}.txt`, search: '', replace: `file ${i}\n` }));
  const started = Date.now();
  const summary = await run(dir, new ScriptedProposer([() => proposal('ten thousand files', edits)]));
  const [c] = summary.candidates;
  assert.equal(c!.status, 'refused');
  assert.equal(c!.reason, 'the proposal edits 10000 files; at most 200 are accepted');
  assert.equal(c!.commit, undefined);
  assert.ok(Date.now() - started < 10_000, 'refused quickly');
  assert.deepEqual(snapshot(dir), before);
  assert.deepEqual(candidateRefs(dir), []);
});

test('with repeated evals, a gain within twice the standard error does not count; a larger one does, shown with its noise', async () => {
  const repeated = [
    { name: 'train', command: 'node eval/score.js train', timeoutSec: 20, repeats: 5 },
    { name: 'holdout', command: 'node eval/score.js holdout', timeoutSec: 20, holdout: true },
  ];
  const dir = agentWorkspace({ params: { noise: 0.2 }, config: { evals: repeated } });
  const summary = await run(dir, new ScriptedProposer([paramsStep('a little', { x: 3, noise: 0.2 }), paramsStep('a lot', { x: 8, noise: 0.2 })]), { iterations: 2 });
  const [small, large] = summary.candidates;
  const train = small!.evaluation!.evals.find((e) => e.name === 'train')!;
  assert.equal(train.repeated?.runs, 5);
  assert.equal(train.metrics.score, 0.3);
  assert.equal(train.repeated?.spread.score, 0.2);
  assert.equal(small!.status, 'rejected');
  assert.match(small!.reason!, /^within the noise: score 0\.2 → 0\.3, a gain no larger than twice its standard error \(0\.253\d*\)$/);
  assert.equal(large!.status, 'pending');
  assert.ok(large!.objective!.noise! > 0.25 && large!.objective!.noise! < 0.26);
});

test('a stop with two candidates in flight (--parallel 2) discards both cleanly', async () => {
  const dir = agentWorkspace({ config: { ...NO_SANDBOX, parallel: 2, budget: { iterations: 4 } } });
  const markers = [path.join(tempDir(), 'a.pid'), path.join(tempDir(), 'b.pid')];
  const controller = new AbortController();
  const proposer = new ScriptedProposer([paramsStep('blocks a', { x: 5, block: markers[0] }), paramsStep('blocks b', { x: 6, block: markers[1] })]);
  const running = run(dir, proposer, { signal: controller.signal });
  await Promise.all(markers.map((m) => waitForFile(m)));
  controller.abort();
  const summary = await running;
  assert.equal(summary.run.state, 'interrupted');
  assert.equal(summary.candidates.length, 0);
  assert.deepEqual(candidateRefs(dir), []);
  assert.equal(worktreeCount(dir), 1);
  for (const m of markers) assert.equal(isAlive(Number(readFileSync(m, 'utf8'))), false);
});

test('when one of two workers fails, the other finishes its candidate before the run ends and cleans up', async () => {
  const dir = agentWorkspace({ config: { parallel: 2, budget: { iterations: 4 } } });
  const proposer = new ScriptedProposer([paramsStep('fine', { x: 5 }), () => Promise.reject(new Error('the proposer broke'))]);
  await assert.rejects(run(dir, proposer), /the proposer broke/);
  const store = new Store(dir);
  assert.deepEqual(store.candidates().map((c) => c.status), ['pending'], 'the candidate in flight was recorded');
  assert.equal(store.runs()[0]!.state, 'failed');
  assert.equal(proposer.requests.length, 2, 'nothing new was started after the failure');
  assert.equal(worktreeCount(dir), 1);
  assert.equal(existsSync(path.join(dir, '.aiai', 'run.lock')), false);
});
