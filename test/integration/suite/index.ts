import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestOutcome {
  title: string;
  state: 'passed' | 'failed';
  durationMs?: number;
  error?: string;
}

/**
 * Runs the suites inside VS Code's extension host. The host does not report back to
 * whoever started it, so the outcome goes to the file named by AIAI_TEST_RESULTS.
 * A host opened on a workspace that is not trusted (AIAI_TEST_SUITE=untrusted) runs
 * the untrusted*.test.js suites, and only those; any other host runs all the others.
 */
export async function run(): Promise<void> {
  const resultsFile = process.env.AIAI_TEST_RESULTS;
  if (!resultsFile) throw new Error('AIAI_TEST_RESULTS is not set');
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'dot' });
  const untrusted = process.env.AIAI_TEST_SUITE === 'untrusted';
  const suites = readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && f.startsWith('untrusted') === untrusted);
  for (const file of suites.sort()) mocha.addFile(path.join(__dirname, file));
  const outcomes: TestOutcome[] = [];
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', ...(t.duration !== undefined ? { durationMs: t.duration } : {}) }));
    runner.on('fail', (t, error: Error) => outcomes.push({ title: t.fullTitle(), state: 'failed', error: error.stack ?? error.message }));
  });
  writeFileSync(resultsFile, JSON.stringify(outcomes, null, 2));
  const failed = outcomes.filter((o) => o.state === 'failed').length;
  // A host that reports exit codes (@vscode/test-electron) learns of failures here.
  if (failed > 0) throw new Error(`${failed} integration test(s) failed`);
}
