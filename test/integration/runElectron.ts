// `npm run test:electron`: the same integration suites in desktop VS Code, through
// @vscode/test-electron, where VS Code can be downloaded (not on our offline machines).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { ROOT, tempDir } from '../helpers';
import type { TestOutcome } from './suite/index';

async function main(): Promise<void> {
  const workspace = agentWorkspace({ config: { budget: { iterations: 4 }, proposer: { kind: 'parameter-search', seed: 3 } } });
  const results = path.join(tempDir(), 'results.json');
  let failed = false;
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'dist', 'test', 'integration', 'index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { AIAI_TEST_RESULTS: results },
    });
  } catch (error) {
    failed = true;
    console.error(String(error));
  }
  const outcomes = JSON.parse(readFileSync(results, 'utf8')) as TestOutcome[];
  for (const o of outcomes) console.log(`${o.state === 'passed' ? 'ok' : 'FAILED'} ${o.title}${o.error ? `\n${o.error}` : ''}`);
  const passed = outcomes.filter((o) => o.state === 'passed').length;
  console.log(`${passed} passed, ${outcomes.length - passed} failed`);
  process.exitCode = failed || passed !== outcomes.length ? 1 : 0;
}

void main();
