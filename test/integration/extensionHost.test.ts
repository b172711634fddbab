import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { runInExtensionHost } from '../vscode/extensionHost';

/** The tests of test/integration/suite; a count that differs means some did not run. */
const SUITE_TESTS = 20;

/** The mocha suites of test/integration/suite, run inside a real VS Code's extension host, reported here one by one. */
test('the extension, inside a real VS Code extension host', async (t) => {
  const workspace = agentWorkspace({ config: { budget: { iterations: 4 }, proposer: { kind: 'parameter-search', seed: 3 } } });
  const { outcomes, metrics } = await runInExtensionHost(workspace);
  for (const outcome of outcomes) {
    await t.test(outcome.title, () => {
      if (outcome.state === 'failed') assert.fail(outcome.error);
    });
  }
  assert.equal(outcomes.length, SUITE_TESTS, 'every test of the suites ran');
  assert.ok((metrics.activationMs ?? 0) > 0, 'activation was timed');
});
