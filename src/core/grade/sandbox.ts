import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxConfig } from '../config/config';
import { inHome } from '../config/sandboxAccess';
import { evalEnvironment } from '../config/evalEnvironment';

/** How evaluations are isolated; `sizedTmpfs`: whether this bubblewrap can give a tmpfs a size (0.8 and later, not setuid). */
export type Isolation = { kind: 'bubblewrap'; sizedTmpfs: boolean } | { kind: 'none'; why: string };

/**
 * The folders of the home folder that an eval's tools run from (pyenv's shims and
 * Pythons, nvm's and volta's Nodes, rustup's toolchains, pip --user, uv and pipx)
 * or build from (cargo's and Go's package sources), and that hold no credentials.
 * Their neighbours stay hidden: ~/.cargo/credentials.toml, ~/.npmrc, ~/.cache (the
 * Hugging Face token, download caches), ~/.local/share (keyrings), ~/.ssh…
 */
const HOME_TOOLCHAINS = [
  '~/.pyenv',
  '~/.nvm',
  '~/.volta',
  '~/.rustup',
  '~/.cargo/bin',
  '~/.cargo/registry',
  '~/.cargo/git',
  '~/.local/bin',
  '~/.local/lib',
  '~/.local/share/uv/python',
  '~/.local/share/uv/tools',
  '~/.local/share/pipx',
  '~/.bun/bin',
  '~/.deno/bin',
  '~/go/bin',
  '~/go/pkg/mod',
];

let probed: Isolation | undefined;

const PROBE_SANDBOX = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net', '--unshare-pid', '--die-with-parent'];
/** A bubblewrap call that succeeds where bubblewrap can make a sandbox. */
export const PROBE_ARGS = [...PROBE_SANDBOX, 'true'];
/** A bubblewrap call that succeeds where bubblewrap can also give a tmpfs a size. */
export const SIZED_TMPFS_PROBE_ARGS = [...PROBE_SANDBOX, '--size', String(1024 * 1024), '--tmpfs', '/tmp', 'true'];

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
        ? { kind: 'bubblewrap', sizedTmpfs: spawnSync('bwrap', SIZED_TMPFS_PROBE_ARGS, { stdio: 'ignore' }).status === 0 }
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
 * the machine where the home folder and the person's checkout are empty, read-only
 * folders but for what `sandboxView` shows again, only the worktree and a private
 * temp folder are writable, the network is gone (unless allowed) and every process
 * dies with the sandbox; and under a data-memory limit in every case. Mounts are made
 * in order, each over the ones before: the hidden folders are made read-only last,
 * once everything shown inside them has its mount point.
 */
export function sandboxed(command: string, options: SandboxOptions): SandboxedCommand {
  const env = { AIAI_EVAL_COMMAND: command };
  if (options.isolation.kind === 'none') {
    const [file = '/bin/sh', ...args] = unsandboxedCommand(options.config);
    return { file, args, env };
  }
  const home = os.homedir();
  const { hidden, readable } = sandboxView(options);
  const hiddenPaths = hidden.map((p) => inHome(p, home)).filter((p) => p !== '/');
  const hide = hiddenPaths.filter((p) => statSync(p, { throwIfNoEntry: false })?.isDirectory());
  const cover = hiddenPaths.filter((p) => statSync(p, { throwIfNoEntry: false })?.isSocket()).flatMap((p) => ['--ro-bind', '/dev/null', p]);
  const show = [...new Set(readable.map((p) => inHome(p, home)))].flatMap((p) => ['--ro-bind-try', p, p]);
  const mounts = [...hide.flatMap((p) => ['--tmpfs', p]), ...cover, ...show, ...writableArgs(options), ...hide.flatMap((p) => ['--remount-ro', p])];
  const temp: TempFolders = options.isolation.sizedTmpfs ? 'sized' : { onDisk: options.scratch };
  return { file: 'bwrap', args: [...bubblewrapArgs(options.config, temp), ...mounts, ...sandboxCommand(options)], env };
}

export interface SandboxOptions {
  cwd: string;
  scratch: string;
  config: SandboxConfig;
  isolation: Isolation;
  /** The person's own checkout (the workspace's git root), hidden as the home folder is: its .env, its .aiai/runs, its .git. */
  workspaceRoot?: string;
  /** The executor's own folders, hidden too: other evals' checkouts, outputs and temp folders (a grader's answers among them). */
  private?: string[];
  /** The shared folders the worktree links to, shown read-only wherever they lie. */
  readOnly?: string[];
  /** Read-write binds made last, such as the model gateway's socket into the eval's temp folder. */
  binds?: Array<{ from: string; to: string }>;
  /** A program run inside the sandbox in front of the eval, which runs the eval as its child (the gateway's bridge). */
  launcher?: string[];
}

/**
 * The machine's services that listen on unix sockets, which a read-only view of the
 * machine still lets an eval connect to: the person's session (its D-Bus, and through
 * it the keyring where VS Code keeps secrets; ssh and gpg agents), the system bus,
 * container engines, munge. Folders are emptied, a lone socket covered.
 */
const HOST_SOCKETS = ['/run/user', '/run/dbus', '/run/docker', '/run/docker.sock', '/run/containerd', '/run/podman', '/run/munge', '/var/run/docker.sock'];
/** Folders every sandbox gets empty and writable of its own (bubblewrapArgs), where nothing of the machine's shows. */
const FRESH_IN_EVERY_SANDBOX = ['/tmp', '/var/tmp', '/dev'];
/** systemd's own sockets, with its resolver's, hidden only where there is no network to resolve names for. */
const RESOLVER_SOCKETS = ['/run/systemd'];

/**
 * What the sandbox hides (the home folder, the person's checkout, the executor's folders, the sockets of the machine's services) and then shows
 * again read-only: the toolchains of HOME_TOOLCHAINS and of the eval's PATH, the
 * folder of the program running aiai, the shared folders and sandbox.readable. A
 * path is absolute or `~/…`, in the home folder of wherever the eval runs.
 */
export function sandboxView(options: Pick<SandboxOptions, 'config' | 'workspaceRoot' | 'readOnly' | 'private'>): { hidden: string[]; readable: string[] } {
  const sockets = options.config.network ? HOST_SOCKETS : [...HOST_SOCKETS, ...RESOLVER_SOCKETS];
  const own = (options.private ?? []).filter((p) => !FRESH_IN_EVERY_SANDBOX.some((dir) => p === dir || isStrictlyInside(dir, p)));
  const hidden = ['~', ...(options.workspaceRoot !== undefined ? [options.workspaceRoot] : []), ...own, ...sockets];
  const searchPath = evalEnvironment(process.env, options.config.env, {}).PATH ?? '';
  // A PATH folder in the temp folders is as unseen as a hidden one: each sandbox has its own, empty.
  const onPath = toolchainsOnPath(searchPath, [...hidden.map((p) => inHome(p, os.homedir())), ...TEMP_FOLDERS]);
  const readable = [...HOME_TOOLCHAINS, ...onPath, path.dirname(process.execPath), ...(options.readOnly ?? []), ...options.config.readable];
  return { hidden, readable: [...new Set(readable)] };
}

/**
 * The folders of `searchPath` that lie in a hidden one: each, or the Python or conda
 * environment it is the bin of (its interpreter needs the environment's lib), or the
 * node_modules whose `.bin` it is (its commands are links into the packages there).
 */
function toolchainsOnPath(searchPath: string, hidden: string[]): string[] {
  const inHidden = (p: string): boolean => path.isAbsolute(p) && hidden.some((dir) => isStrictlyInside(dir, p));
  return searchPath.split(path.delimiter).filter(inHidden).map((entry) => {
    const prefix = path.dirname(entry);
    const environment = path.basename(entry) === 'bin' && inHidden(prefix) && ['pyvenv.cfg', 'conda-meta'].some((marker) => existsSync(path.join(prefix, marker)));
    const packages = path.basename(entry) === '.bin' && path.basename(prefix) === 'node_modules';
    return environment || packages ? prefix : entry;
  });
}

/** Runs the command in `$AIAI_EVAL_COMMAND` under the data-memory limit. */
function limitScript(config: SandboxConfig): string {
  return `ulimit -d ${config.memoryMb * 1024} 2>/dev/null; exec /bin/sh -c "$AIAI_EVAL_COMMAND"`;
}

/** The writable folders every sandbox has of its own. */
const TEMP_FOLDERS = ['/tmp', '/var/tmp', '/dev/shm'];

/**
 * Where the sandbox's temp folders are: in memory, each a tmpfs that holds at most
 * sandbox.memoryMb, so that what an eval writes there is held to the memory limit;
 * or, where bubblewrap cannot size a tmpfs, each the eval's own temp folder on disk.
 */
export type TempFolders = 'sized' | { onDisk: string };

/**
 * bubblewrap's options that make the sandbox, before what it hides: a read-only view
 * of the machine with its own /dev and /proc, and its own temp folders (TempFolders).
 */
export function bubblewrapArgs(config: SandboxConfig, temp: TempFolders): string[] {
  const size = String(config.memoryMb * 1024 * 1024);
  return [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(config.network ? [] : ['--unshare-net']),
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    ...TEMP_FOLDERS.flatMap((dir) => (temp === 'sized' ? ['--size', size, '--tmpfs', dir] : ['--bind', temp.onDisk, dir])),
  ];
}

/** What the eval may write, bound after everything hidden or read-only, since the worktree or temp folder may lie inside either. */
export function writableArgs(options: Pick<SandboxOptions, 'cwd' | 'scratch' | 'binds'>): string[] {
  return [
    '--bind', options.cwd, options.cwd,
    '--bind', options.scratch, options.scratch,
    ...(options.binds ?? []).flatMap((b) => ['--bind', b.from, b.to]),
  ];
}

/**
 * What ends bubblewrap's argv: /dev made read-only, the folder to start in, the
 * launcher if any, and the shell under the memory limit. bubblewrap's /dev is a tmpfs
 * as large as the machine's memory allows; it is made read-only after every mount,
 * since a device that sandbox.readable shows needs its mount point made there.
 */
export function sandboxCommand(options: Pick<SandboxOptions, 'cwd' | 'config' | 'launcher'>): string[] {
  return ['--remount-ro', '/dev', '--chdir', options.cwd, ...(options.launcher ?? []), '/bin/sh', '-c', limitScript(options.config)];
}

/** The argv of an eval run without isolation: the shell under the memory limit. */
export function unsandboxedCommand(config: SandboxConfig): string[] {
  return ['/bin/sh', '-c', limitScript(config)];
}

function isStrictlyInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel);
}
