import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { errorMessage, runtimeError } from '../common/errors';
import { currentLedger } from './ledger';

export interface CommandOptions {
  /** The program and its arguments (no shell of ours in between). */
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  logFile: string;
  signal?: AbortSignal;
  /** Bytes of output written to the log before it is cut with a marker. */
  maxLogBytes?: number;
  /** Processes the command may run at once, itself included; more kills it. */
  maxProcesses?: number;
}

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Killed for running more processes than allowed. */
  tooManyProcesses: boolean;
  durationMs: number;
  /** The end of stdout alone, where a metrics line is looked for. */
  stdoutTail: string;
  /** The end of stdout and stderr together, kept for review. */
  logTail: string;
  logTruncated: boolean;
}

/** How much of the end of an eval's output is kept for the metrics line and for review. */
export const STDOUT_TAIL = 64 * 1024;
export const LOG_TAIL = 8 * 1024;
/** Bytes of an eval's output kept in its log, wherever it runs. */
export const DEFAULT_MAX_LOG = 2 * 1024 * 1024;
/** What ends a log cut at `max` bytes. */
export function logCutMarker(max: number): string {
  return `\n[aiai: log cut here after ${max} bytes; the rest of the output was discarded]\n`;
}

/** How long pipes held open by an escaped grandchild may delay the result. */
const CLOSE_GRACE_MS = 1000;
/** How often the process count is checked. */
const PROCESS_CHECK_MS = 100;

/**
 * The groups of this process's commands that are running. Without the sandbox a
 * group outlives the process that started it, so whatever way this process exits
 * (a second Ctrl-C, a crash) takes them along; only kill -9 escapes, and the
 * ledger covers that.
 */
const running = new Set<number>();
let endsWithProcess = false;

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // The group is already empty.
  }
}

function track(group: number): () => void {
  if (!endsWithProcess) {
    endsWithProcess = true;
    process.once('exit', () => running.forEach(killGroup));
  }
  const ledger = currentLedger();
  running.add(group);
  ledger?.started(group);
  return () => {
    running.delete(group);
    ledger?.ended(group);
  };
}

/**
 * Runs a program in its own process group, so a timeout, an abort or its end kills
 * every process it started. Output goes to a capped log file.
 */
export function runCommand(options: CommandOptions): Promise<CommandResult> {
  const started = Date.now();
  const maxLog = options.maxLogBytes ?? DEFAULT_MAX_LOG;
  const log = openSync(options.logFile, 'w');
  let logged = 0;
  let logTruncated = false;
  let stdoutTail = '';
  let logTail = '';

  const child = spawn(options.file, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  // A write that fails (a full disk) ends the command: thrown from a stream's handler, it ended the whole process.
  let logFailure: Error | undefined;
  const writeLog = (data: Buffer): void => {
    if (logFailure) return;
    try {
      writeSync(log, data);
    } catch (error) {
      logFailure = runtimeError(`could not write the log ${options.logFile}: ${errorMessage(error)}`);
      killOurs();
    }
  };
  const record = (chunk: Buffer, isStdout: boolean): void => {
    const text = chunk.toString('utf8');
    if (isStdout) stdoutTail = (stdoutTail + text).slice(-STDOUT_TAIL);
    logTail = (logTail + text).slice(-LOG_TAIL);
    if (logTruncated) return;
    const room = maxLog - logged;
    if (chunk.length <= room) {
      writeLog(chunk);
      logged += chunk.length;
      return;
    }
    writeLog(chunk.subarray(0, room));
    logged = maxLog;
    logTruncated = true;
    writeLog(Buffer.from(logCutMarker(maxLog)));
  };
  child.stdout.on('data', (c: Buffer) => record(c, true));
  child.stderr.on('data', (c: Buffer) => record(c, false));

  let timedOut = false;
  let aborted = false;
  const { pid } = child;
  const untrack = pid !== undefined ? track(pid) : () => {};
  const killOurs = (): void => {
    if (pid !== undefined) killGroup(pid);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killOurs();
  }, options.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    killOurs();
  };
  let tooManyProcesses = false;
  const { maxProcesses } = options;
  const watchdog =
    maxProcesses !== undefined && pid !== undefined
      ? setInterval(() => {
          if (descendants(pid) + 1 > maxProcesses) {
            tooManyProcesses = true;
            killOurs();
          }
        }, PROCESS_CHECK_MS)
      : undefined;
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  return new Promise((resolve, reject) => {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished || !exit) return;
      finished = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      // Called from the child's events: what fails here (the ledger's write on a full disk) is the caller's to hear.
      try {
        closeSync(log);
        untrack();
      } catch (error) {
        return reject(error);
      }
      if (logFailure) return reject(logFailure);
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        timedOut,
        aborted,
        tooManyProcesses,
        durationMs: Date.now() - started,
        stdoutTail,
        logTail,
        logTruncated,
      });
    };
    child.on('error', (error) => {
      record(Buffer.from(`aiai: could not start the command: ${error.message}\n`), false);
      exit = { code: null, signal: null };
      finish();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever the command left running in its group dies with it.
      killOurs();
      setTimeout(finish, CLOSE_GRACE_MS).unref();
    });
    child.on('close', () => finish());
  });
}

/** How many processes descend from `pid` now, read from /proc (Linux; elsewhere none are counted). */
function descendants(pid: number): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let count = 0;
  const stack = [pid];
  while (stack.length > 0) {
    for (const kid of children.get(stack.pop()!) ?? []) {
      count++;
      stack.push(kid);
    }
  }
  return count;
}
