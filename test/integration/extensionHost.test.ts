import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { runInExtensionHost } from '../vscode/extensionHost';

/** The mocha suites of test/integration/suite, run inside a real VS Code's extension host, reported here one by one. */
test('the extension, inside a real VS Code extension host', async (t) => {
  const workspace = agentWorkspace({ config: { budget: { iterations: 4 }, proposer: { kind: 'parameter-search', seed: 3 } } });
  const { outcomes, metrics } = await runInExtensionHost(workspace);
  assert.ok(outcomes.length >= 9, `the suites ran (${outcomes.length} tests)`);
  assert.ok(metrics.activationMs! > 0, 'activation was timed');
  for (const outcome of outcomes) {
    await t.test(outcome.title, () => {
      if (outcome.state === 'failed') assert.fail(outcome.error);
    });
  }
});
