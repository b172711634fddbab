import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { setupCodeServer } from '../../scripts/setup-code-server.mjs';
import { ROOT } from '../helpers';
import { CHROMIUM_ARGS, chromiumPath, startCodeServer, type CodeServer } from './codeServer';

export const RESULTS = path.join(ROOT, 'test-results');
export const VSIX = path.join(ROOT, 'aiai.vsix');

/** A person's VS Code: code-server with the packaged extension installed, in Chromium. */
export interface Workbench {
  page: Page;
  server: CodeServer;
  close(): Promise<void>;
}

export async function openWorkbench(folder: string, theme: 'dark' | 'light' = 'dark'): Promise<Workbench> {
  const extensionsDir = installPackagedExtension();
  const server = await startCodeServer({ theme, extensionsDir });
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
  // The AIAI activity bar entry shows once the extension's contributions are read.
  await page.locator('.part.activitybar .action-item a[aria-label^="AIAI"]').waitFor({ timeout: 60_000 });
  return {
    page,
    server,
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}

/** Installs aiai.vsix (made by `npm run package`) with code-server's own installer. */
function installPackagedExtension(): string {
  const dir = path.join(ROOT, '.cache', 'test-extensions');
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, [setupCodeServer(), '--extensions-dir', dir, '--install-extension', VSIX, '--force'], { stdio: 'ignore' });
  return dir;
}

/** Runs a command from the palette by its full title, as a person types it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  // Focus the workbench itself (not a webview, whose frame would swallow the key).
  await page.locator('.monaco-workbench .part.titlebar').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Picks the quick pick item whose text contains `text`. */
export async function pick(page: Page, text: string): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor();
  await row.click();
}

/** The frame of the review panel's page (a webview is an iframe inside an iframe). */
export async function reviewFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator('#app').count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`the review panel did not appear within ${timeoutMs} ms`);
    // A webview's load navigates a frame; look again when one does (or shortly, if it already has).
    await page.waitForEvent('framenavigated', { timeout: 500 }).catch(() => undefined);
  }
}

/**
 * The review panel's frame once `ready` finds its element there. VS Code may replace
 * a restored webview's frame right after it loads (a reload, a panel shown again):
 * a frame detached while waiting is looked for anew.
 */
export async function reviewFrameWith(page: Page, ready: (frame: Frame) => Locator, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = await reviewFrame(page, Math.max(1, deadline - Date.now()));
    try {
      await ready(frame).waitFor({ timeout: Math.max(1, deadline - Date.now()) });
      return frame;
    } catch (error) {
      if (!/detached/i.test((error as Error).message) || Date.now() > deadline) throw error;
    }
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, name);
  await page.screenshot({ path: file });
  return file;
}
