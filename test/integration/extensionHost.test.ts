import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { runInExtensionHost } from '../vscode/extensionHost';

/** The tests of test/integration/suite; a count that differs means some did not run. */
const SUITE_TESTS = 24;

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
