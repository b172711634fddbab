import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Budget } from '../../src/core/loop/budget';
import { runLoop, type LoopEvent } from '../../src/core/loop/loop';
import { RunState } from '../../src/core/loop/runState';
import type { Proposer } from '../../src/core/propose/proposer';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cli } from '../helpers';

/* Runs that last: resumed after a stop, and built on the archive of earlier runs. */

const run = (dir: string, proposer: Proposer, options: { resume?: boolean; fromArchive?: boolean; signal?: AbortSignal; events?: LoopEvent[] } = {}) =>
  runLoop(dir, {
    proposer,
    signal: options.signal ?? new AbortController().signal,
    ...(options.resume ? { resume: true } : {}),
    ...(options.fromArchive ? { fromArchive: true } : {}),
    onEvent: (e) => options.events?.push(e),
  });

test('--resume continues an interrupted run to its budget, with its lineage and its id', async () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 4 } } });
  const stop = new AbortController();
  const first = await run(dir, new ScriptedProposer([paramsStep('x to 4', { x: 4 }), paramsStep('x to 5', { x: 5 }), async (request) => {
    stop.abort();
    return paramsStep('never graded', { x: 9 })(request);
  }]), { signal: stop.signal });
  assert.equal(first.run.state, 'interrupted');
  assert.equal(first.candidates.length, 2);
  const [, five] = first.candidates;

  const events: LoopEvent[] = [];
  const resumed = await run(dir, new ScriptedProposer([paramsStep('x to 6', { x: 6 }), paramsStep('x to 7', { x: 7 })]), { resume: true, events });
  assert.equal(resumed.run.id, first.run.id, 'the same run goes on');
  assert.equal(resumed.run.state, 'finished');
  assert.equal(resumed.run.stopReason, 'ran 4 iterations');
  assert.ok(events.some((e) => e.type === 'notice' && e.message === `resuming run ${first.run.id}: 2 of its 4 candidates were made, 2 are left`));
  assert.ok(!events.some((e) => e.type === 'baseline'), 'the baseline it measured is kept');
  assert.deepEqual(events.filter((e) => e.type === 'candidate').map((e) => e.type === 'candidate' && e.index), [3, 4]);
  const [six, seven] = resumed.candidates;
  assert.equal(six?.parent.id, five?.id, 'it builds on the best of the run before the stop');
  assert.equal(seven?.parent.id, six?.id);
  assert.equal(new Store(dir).summaries().summaries.filter((c) => c.runId === first.run.id).length, 4);
  assert.ok((resumed.run.elapsedMs ?? 0) > 0);
});

test('--resume refuses when there is nothing to resume, and says what to do', async () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 1 } } });
  await run(dir, new ScriptedProposer([paramsStep('x to 4', { x: 4 })]));
  const result = cli(dir, 'run', '--resume');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /there is no interrupted or crashed run to resume \(the last run, .*, finished\); start a new one with `aiai run`/);
});

test('--from-archive builds a new run on the candidates of the runs before it', async () => {
  const dir = agentWorkspace({ config: { budget: { iterations: 1 } } });
  const night1 = await run(dir, new ScriptedProposer([paramsStep('x to 5', { x: 5 })]));
  const fresh = await run(dir, new ScriptedProposer([paramsStep('x to 6', { x: 6 })]));
  assert.equal(fresh.candidates[0]?.parent.id, null, 'without the archive a run starts from the baseline');
  const events: LoopEvent[] = [];
  const night2 = await run(dir, new ScriptedProposer([paramsStep('x to 7', { x: 7 })]), { fromArchive: true, events });
  assert.ok(events.some((e) => e.type === 'notice' && e.message === 'building on an archive of 2 candidate(s) of earlier runs on this version'));
  assert.equal(night2.candidates[0]?.parent.id, fresh.candidates[0]?.id, 'it builds on the best of the archive');
  assert.notEqual(night2.run.id, night1.run.id);
});

test('a run past its time budget stops proposing, yet may still spend on what it learned', () => {
  const dir = agentWorkspace();
  const startedAt = new Date(Date.now() - 120_000).toISOString();
  const state = new RunState(new Store(dir), {
    id: 'run-over-time', pid: process.pid, startedAt, state: 'running', base: 'b', proposer: 'p', isolation: 'none',
    iterations: 3, parallel: 1, savings: { reusedEvaluations: 0, duplicates: 0, skippedEvals: 0, skippedEvalMs: 0 }, evalsKey: 'k',
  });
  const budget = new Budget({ iterations: 3, maxMinutes: 1, maxCostUsd: 1 }, state);
  assert.equal(budget.problem(), 'time budget: the run has used its 1 minutes');
  assert.equal(budget.spendingProblem(), undefined, 'the lessons may still be rewritten');
  budget.spend({ inputTokens: 1, outputTokens: 1, cacheCreationTokens: 0, cacheReadTokens: 0, costUsd: 0.6 });
  assert.match(budget.spendingProblem() ?? '', /^budget: another proposal would take the cost past \$1/);
});
