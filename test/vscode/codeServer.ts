import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { setupCodeServer } from '../../scripts/setup-code-server.mjs';
import { tempDir } from '../helpers';

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  stop(): Promise<void>;
}

/**
 * A real VS Code (code-server) on a free loopback port, with its own profile. Workspace
 * trust is off unless `untrusted`: then it is on, and the fresh profile trusts no
 * folder, so a workspace opens in restricted mode without asking (no startup prompt, no
 * prompt for files outside it: either would be a modal dialog that nobody answers).
 */
export async function startCodeServer(options: { theme?: 'dark' | 'light'; extensionsDir?: string; env?: NodeJS.ProcessEnv; untrusted?: boolean } = {}): Promise<CodeServer> {
  const entry = setupCodeServer();
  const port = await freePort();
  const userDataDir = tempDir('aiai-vscode-');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.colorTheme': options.theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': options.untrusted === true,
      ...(options.untrusted ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' } : {}),
      'extensions.autoCheckUpdates': false,
      'git.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'window.commandCenter': false,
      'chat.commandCenter.enabled': false,
    }),
  );
  const configFile = path.join(userDataDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  const child = spawn(
    process.execPath,
    [entry, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', ...(options.untrusted ? [] : ['--disable-workspace-trust']),
      '--user-data-dir', userDataDir, '--extensions-dir', options.extensionsDir ?? path.join(userDataDir, 'extensions')],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  await listening(child, port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    userDataDir,
    stop: () => stopProcess(child),
  };
}

/** Debian's Chromium, installed when missing. */
export function chromiumPath(): string {
  ensureDebianPackages(['chromium']);
  return '/usr/bin/chromium';
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function listening(child: ChildProcessByStdio<null, Readable, Readable>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(`HTTP server listening on http://127.0.0.1:${port}`)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`code-server exited (${code}) before listening:\n${output}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
