import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approve } from '../../src/core/deploy/approve';
import { runLoop } from '../../src/core/loop/loop';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { runInExtensionHost } from '../vscode/extensionHost';

/** The tests of test/integration/suite; a count that differs means some did not run. */
const SUITE_TESTS = 26;

/** The mocha suites of test/integration/suite, run inside a real VS Code's extension host, reported here one by one. */
test('the extension, inside a real VS Code extension host', async (t) => {
  // agent/guide.md: twenty lines, for a person's edits in two hunks of one file (suite/coauthor.ts).
  const guide = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n')}\n`;
  const workspace = agentWorkspace({ config: { budget: { iterations: 4 }, proposer: { kind: 'parameter-search', seed: 3 } }, files: { 'agent/guide.md': guide } });
  const { outcomes, metrics } = await runInExtensionHost(workspace);
  for (const outcome of outcomes) {
    await t.test(outcome.title, () => {
      if (outcome.state === 'failed') assert.fail(outcome.error);
    });
  }
  assert.equal(outcomes.length, SUITE_TESTS, 'every test of the suites ran');
  assert.ok((metrics.activationMs ?? 0) > 0, 'activation was timed');
});

/** The tests of suite/untrusted.test.ts; a count that differs means some did not run. */
const UNTRUSTED_SUITE_TESTS = 8;

/**
 * The untrusted suite, in a host opened in restricted mode on a workspace a person has
 * used: one candidate approved (v1, so a roll back would change files) and two that
 * await review, recorded before the window opens.
 */
test('the extension in a workspace that is not trusted, inside a real VS Code extension host', async (t) => {
  const seeding = performance.now();
  // One eval, not the fixture's three: the records are what matters here, and each eval adds to CI time.
  const workspace = agentWorkspace({ config: { evals: [{ name: 'train', command: 'node eval/score.js train', timeoutSec: 20 }] } });
  const steps = [3, 4, 5].map((x) => paramsStep(`x ${x - 1} → ${x}`, { x }));
  const { candidates: [first] } = await runLoop(workspace, { proposer: new ScriptedProposer(steps), iterations: steps.length, signal: new AbortController().signal });
  assert.ok(first, 'the run recorded its candidates');
  await approve(workspace, first.id, { by: 'person via cli' });
  const started = performance.now();
  const { outcomes } = await runInExtensionHost(workspace, { untrusted: true });
  t.diagnostic(`the workspace was made in ${Math.round(started - seeding)} ms, and the host ran for ${Math.round(performance.now() - started)} ms`);
  for (const outcome of outcomes) {
    await t.test(outcome.title, () => {
      if (outcome.state === 'failed') assert.fail(outcome.error);
    });
  }
  assert.equal(outcomes.length, UNTRUSTED_SUITE_TESTS, 'every test of the untrusted suite ran');
});
