// Installs the evaluation tools the tests run for real into .cache/eval-tools/: today
// promptfoo, at the last version that runs on Node 20 (newer ones need Node 22). Its
// install script would download Chrome, which a machine without internet cannot, so
// it installs without scripts and builds the one native module it needs by hand
// (see ../shared/notes/eval-tools.md). Idempotent and fast once installed; safe when
// two test processes call it at once: each installs into a folder of its own and
// renames it into place, the first to finish wins. Prints the bin's path last.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CACHE, run } from './cache-folder.mjs';
import { ensureDebianPackages } from './debian.mjs';

export const PROMPTFOO_VERSION = '0.118.0';
const dir = path.join(CACHE, 'eval-tools', `promptfoo-${PROMPTFOO_VERSION}`);

/** promptfoo's variables that keep it off the network: no telemetry, no update check. */
const PROMPTFOO_OFFLINE_ENV = { PROMPTFOO_DISABLE_TELEMETRY: '1', PROMPTFOO_DISABLE_UPDATE: '1' };

/** The folder of the `promptfoo` bin in an install. */
function promptfooBinDir(root = dir) {
  return path.join(root, 'node_modules', '.bin');
}

/** The path of the `promptfoo` bin, installing it first when it is not there. */
export function ensurePromptfoo() {
  const bin = path.join(promptfooBinDir(), 'promptfoo');
  removeAbandoned();
  if (existsSync(bin)) return bin;
  // better-sqlite3 builds with node-gyp, which needs python3, make and a C++ compiler.
  ensureDebianPackages(['python3', 'make', 'g++']);
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  try {
    writeFileSync(path.join(partial, 'package.json'), '{ "private": true }\n');
    run('eval-tools', 'npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `promptfoo@${PROMPTFOO_VERSION}`], partial);
    run('eval-tools', 'npm', ['rebuild', 'better-sqlite3', '--dangerously-allow-all-scripts'], partial);
    // A bin that cannot start is no install: say so now rather than in a test's eval. Its
    // config folder (where it writes a database) is a temp one, not ~/.promptfoo.
    const config = mkdtempSync(path.join(os.tmpdir(), 'eval-tools-promptfoo-'));
    try {
      execFileSync(path.join(promptfooBinDir(partial), 'promptfoo'), ['--version'], { env: { ...process.env, ...PROMPTFOO_OFFLINE_ENV, PROMPTFOO_CONFIG_DIR: config }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`promptfoo ${PROMPTFOO_VERSION} could not be installed into ${path.dirname(dir)}: ${error.message.split('\n')[0]} (npm's output is above)`);
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process renamed its install into place first: use that one.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(bin)) throw error;
  }
  return bin;
}

/** The partial installs of processes that died before renaming theirs (an interrupted test run): 670 MB each. */
function removeAbandoned() {
  const prefix = `${path.basename(dir)}.partial-`;
  const names = existsSync(path.dirname(dir)) ? readdirSync(path.dirname(dir)) : [];
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const pid = Number(name.slice(prefix.length));
    if (pid === process.pid || !isRunning(pid)) rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true });
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(ensurePromptfoo());
}
