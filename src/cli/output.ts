/**
 * What every command shares to write its results and end: light on purpose, since
 * it loads before the arguments are parsed.
 */

export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;

/**
 * How a run that was stopped ends: 128 + the number of the signal, as a shell
 * reports a death by it. A closed stdout counts as SIGPIPE, the signal a writer to a
 * pipe without a reader gets.
 */
export const STOPPED = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143, SIGPIPE: 141 } as const;
export type Stop = keyof typeof STOPPED;

let stdoutClosed = false;
const closeListeners = new Set<() => void>();

/** Writes a line to stdout, unless its reader went away (`aiai show ID | head -1`). */
export function print(text: string): void {
  if (!stdoutClosed) process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

export function warn(text: string): void {
  process.stderr.write(`aiai: ${text}\n`);
}

/**
 * Ends quietly when stdout closes under us (EPIPE, or EIO after a hang-up): no stack
 * trace, no more writes, exit 141; a run in progress is told through `onStdoutClosed`.
 * A stderr nobody reads any more is no reason to stop.
 */
export function watchOutput(): void {
  process.stdout.on('error', () => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    process.exitCode = STOPPED.SIGPIPE;
    for (const listener of closeListeners) listener();
  });
  process.stderr.on('error', () => {});
}

export function onStdoutClosed(listener: () => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}
