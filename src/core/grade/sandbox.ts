import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxConfig } from '../config/config';

export type Isolation = { kind: 'bubblewrap' } | { kind: 'none'; why: string };

/** Where a user's credentials usually live, under the home folder; an evaluation sees them empty. */
export const HOME_SECRETS = ['.ssh', '.aws', '.gnupg', '.azure', '.kube', '.docker', '.config/gcloud', '.config/gh', '.git-credentials', '.netrc', '.npmrc', '.pypirc'];

let probed: Isolation | undefined;

/** A bubblewrap call that succeeds where bubblewrap can make a sandbox. */
export const PROBE_ARGS = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net', '--unshare-pid', '--die-with-parent', 'true'];

/** Whether bubblewrap can make a sandbox on this machine (probed once a process). */
export function probeIsolation(): Isolation {
  if (probed) return probed;
  if (process.platform !== 'linux') {
    probed = { kind: 'none', why: `no sandbox for ${process.platform} yet` };
    return probed;
  }
  const result = spawnSync('bwrap', PROBE_ARGS, { stdio: 'ignore' });
  probed =
    result.error
      ? { kind: 'none', why: 'bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)' }
      : result.status === 0
        ? { kind: 'bubblewrap' }
        : { kind: 'none', why: 'bubblewrap cannot create namespaces here (user namespaces may be disabled)' };
  return probed;
}

/** The isolation a config gets, or why a run must be refused. */
export function isolationFor(config: SandboxConfig): { isolation: Isolation; refusal?: string } {
  if (config.mode === 'off') return { isolation: { kind: 'none', why: 'sandbox.mode is "off"' } };
  const isolation = probeIsolation();
  if (isolation.kind === 'none' && config.mode === 'required') {
    return { isolation, refusal: `sandbox.mode is "required" but evaluations cannot be isolated: ${isolation.why}` };
  }
  return { isolation };
}

export interface SandboxedCommand {
  file: string;
  args: string[];
  /** Set in the command's environment: the user's command, run by the inner shell. */
  env: Record<string, string>;
}

/**
 * The argv that runs `command` in `cwd`: under bubblewrap, in a read-only view of
 * the machine where only the worktree and a private temp folder are writable (the
 * shared folders stay visible, read-only, even under /tmp), home
 * secrets are empty, the network is gone (unless allowed) and every process dies
 * with the sandbox; and under a data-memory limit in every case.
 */
export function sandboxed(command: string, options: SandboxOptions): SandboxedCommand {
  const env = { AIAI_EVAL_COMMAND: command };
  if (options.isolation.kind === 'none') {
    const [file = '/bin/sh', ...args] = unsandboxedCommand(options.config);
    return { file, args, env };
  }
  const home = os.homedir();
  const masks = HOME_SECRETS.map((p) => path.join(home, p))
    .filter((p) => existsSync(p) && !isInside(options.cwd, p))
    .flatMap((p) => (statSync(p).isDirectory() ? ['--tmpfs', p] : ['--ro-bind', '/dev/null', p]));
  const readOnly = (options.readOnly ?? []).filter((p) => existsSync(p)).flatMap((p) => ['--ro-bind', p, p]);
  return { file: 'bwrap', args: [...bubblewrapArgs(options), ...readOnly, ...masks, ...sandboxCommand(options)], env };
}

export interface SandboxOptions {
  cwd: string;
  scratch: string;
  config: SandboxConfig;
  isolation: Isolation;
  /** The shared folders the worktree links to, which a private /tmp would otherwise hide; those that exist are kept visible. */
  readOnly?: string[];
}

/** Runs the command in `$AIAI_EVAL_COMMAND` under the data-memory limit. */
function limitScript(config: SandboxConfig): string {
  return `ulimit -d ${config.memoryMb * 1024} 2>/dev/null; exec /bin/sh -c "$AIAI_EVAL_COMMAND"`;
}

/** bubblewrap's options for a sandbox before the read-only shared folders and the home-secret masks. */
export function bubblewrapArgs(options: Pick<SandboxOptions, 'cwd' | 'scratch' | 'config'>): string[] {
  return [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(options.config.network ? [] : ['--unshare-net']),
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--tmpfs', '/var/tmp',
    '--bind', options.cwd, options.cwd,
    '--bind', options.scratch, options.scratch,
  ];
}

/** What ends bubblewrap's argv: the folder to start in and the shell under the memory limit. */
export function sandboxCommand(options: Pick<SandboxOptions, 'cwd' | 'config'>): string[] {
  return ['--chdir', options.cwd, '/bin/sh', '-c', limitScript(options.config)];
}

/** The argv of an eval run without isolation: the shell under the memory limit. */
export function unsandboxedCommand(config: SandboxConfig): string[] {
  return ['/bin/sh', '-c', limitScript(config)];
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(file, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
