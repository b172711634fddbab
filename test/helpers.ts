import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const EXAMPLE = path.join(ROOT, 'examples', 'ticket-triage');

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'aiai-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** git in `cwd`, with the test's identity, returning trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim();
}

/** A real git repository holding `files`, committed once, with a local identity (in a new temp folder unless given `dir`). */
export function makeRepo(files: Record<string, string>, dir = tempDir()): string {
  writeFiles(dir, files);
  initRepo(dir);
  return dir;
}

/** A fresh git repository holding a copy of the example workspace; its proposer one or another, as a second commit. */
export function copyExample(proposer?: Record<string, unknown>): string {
  const dir = tempDir();
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}runs`) });
  initRepo(dir);
  if (proposer) {
    const config = path.join(dir, '.aiai', 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('"proposer": { "kind": "parameter-search" }', `"proposer": ${JSON.stringify(proposer)}`));
    commitAll(dir, `the proposer: ${JSON.stringify(proposer)}`);
  }
  return dir;
}

/** The example's parameter search with a fixed seed, for a repeatable run. */
export const SEEDED = { kind: 'parameter-search', seed: 7 };

function initRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test Developer');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'the agent');
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Every file of the working tree (outside .git and .aiai/runs) with its content: a snapshot to compare. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const file = path.join(rel, name);
      if (file === '.git' || ['runs', 'run.lock', 'audit.jsonl'].some((own) => file === path.join('.aiai', own))) continue;
      if (statSync(path.join(dir, file)).isDirectory()) walk(file);
      else out[file] = readFileSync(path.join(dir, file), 'utf8');
    }
  };
  walk('');
  return out;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(cwd: string, ...args: string[]): CliResult {
  return cliWithEnv({}, cwd, ...args);
}

export function cliWithEnv(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...cliEnv(), ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function cliJson<T>(cwd: string, ...args: string[]): T {
  const result = cli(cwd, ...args, '--json');
  if (result.code !== 0) throw new Error(`aiai ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** The CLI without blocking this process (which may be serving the CLI's requests). */
export async function cliAsync(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...cliEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/** Starts the CLI without waiting, for tests that signal it. */
export function cliProcess(cwd: string, ...args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY;
  return env;
}

/** A config file's text from an object. */
export function configJson(config: Record<string, unknown>): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Whether a process is still running (a zombie waiting to be reaped is not). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`not a process id: ${pid}`);
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readTextOrEmpty(`/proc/${pid}/stat`);
  return !/^\d+ \(.*\) Z/.test(stat);
}

/** Kills the whole process group `pid` belongs to. */
export function killGroupOf(pid: number): void {
  const stat = readTextOrEmpty(`/proc/${pid}/stat`);
  const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  process.kill(-group, 'SIGKILL');
}

function readTextOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Resolves when `file` exists with some content, watching its folder; rejects after `timeoutMs`. */
export function waitForFile(file: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const dir = path.dirname(file);
    const check = (): boolean => {
      if (!existsSync(file) || statSync(file).size === 0) return false;
      watcher.close();
      clearTimeout(timer);
      resolve();
      return true;
    };
    const watcher = watch(dir, check);
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${file} did not appear within ${timeoutMs} ms`));
    }, timeoutMs);
    check();
  });
}

/**
 * Resolves once `condition` holds, checking every 50 ms: for states only /proc shows
 * (a process started or ended in another namespace). Rejects after `timeoutMs`.
 */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves with the exit code when the child exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
