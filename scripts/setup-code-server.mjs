// Installs code-server (VS Code's own server and browser workbench, from npm) into
// .cache/, doing by hand the postinstall steps that cannot run on a machine without
// internet access (see ../shared/notes/real-vscode-offline.md). Idempotent: a second
// run only prints where it is. Prints the path of the code-server entry point last.
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CACHE, run as runStep } from './cache-folder.mjs';
import { ensureDebianPackages } from './debian.mjs';

export const CODE_SERVER_VERSION = '4.96.4';
const dir = path.join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
const pkg = path.join(dir, 'node_modules', 'code-server');
const ready = path.join(dir, 'ready');
const vscodeDir = path.join(pkg, 'lib', 'vscode');

export function codeServerEntry() {
  return path.join(pkg, 'out', 'node', 'entry.js');
}

function run(command, args, cwd) {
  runStep('setup-code-server', command, args, cwd);
}

function linkOnce(target, link) {
  if (!existsSync(link)) symlinkSync(target, link);
}

export function setupCodeServer() {
  if (existsSync(ready)) return codeServerEntry();
  // The native kerberos module of VS Code's server builds against these headers.
  ensureDebianPackages(['libkrb5-dev', 'python3', 'make', 'g++']);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  // Its postinstall would fetch from hosts we cannot reach: install without it, then do its steps.
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], dir);
  // The shrinkwrap pins @vscode/proxy-agent to a git commit; without it the registry serves it.
  rmSync(path.join(vscodeDir, 'npm-shrinkwrap.json'), { force: true });
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--dangerously-allow-all-scripts'], vscodeDir);
  linkOnce('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  linkOnce('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  linkOnce('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--dangerously-allow-all-scripts'], path.join(vscodeDir, 'extensions'));
  run('npm', ['rebuild', 'argon2', '--dangerously-allow-all-scripts'], dir);
  writeFileSync(ready, `${new Date().toISOString()}\n`);
  return codeServerEntry();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(setupCodeServer());
}
