import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { TestOutcome } from '../integration/suite/index';
import { ROOT, tempDir, waitForFile } from '../helpers';
import { CHROMIUM_ARGS, chromiumPath, startCodeServer } from './codeServer';

export interface HostRun {
  outcomes: TestOutcome[];
  /** Figures the suites recorded, e.g. activationMs. */
  metrics: Record<string, number>;
}

/**
 * Runs the built integration suites (dist/test/integration) inside the extension
 * host of a real VS Code (code-server), with the extension loaded from this folder
 * and `workspace` open. The host reports to a file, which this waits for. With
 * `untrusted`, the workspace opens in restricted mode and only the untrusted suite runs.
 */
export async function runInExtensionHost(workspace: string, options: { untrusted?: boolean } = {}): Promise<HostRun> {
  const results = path.join(tempDir(), 'results.json');
  const server = await startCodeServer({ untrusted: options.untrusted === true, env: { AIAI_TEST_RESULTS: results, ...(options.untrusted ? { AIAI_TEST_SUITE: 'untrusted' } : {}) } });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(path.join(ROOT, 'dist', 'test', 'integration', 'index'))],
    ];
    const page = await browser.newPage();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await waitForFile(results, 300_000);
  } finally {
    await browser.close();
    await server.stop();
  }
  const metricsFile = `${results}.metrics.json`;
  return {
    outcomes: JSON.parse(readFileSync(results, 'utf8')) as TestOutcome[],
    metrics: existsSync(metricsFile) ? (JSON.parse(readFileSync(metricsFile, 'utf8')) as Record<string, number>) : {},
  };
}
