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

/**
 * Control characters a terminal would obey rather than show: all of C0 but the
 * newline and the tab, a carriage return that does not end a CRLF line, DEL, C1
 * (which terminals obey in UTF-8 too), and the bidirectional overrides and
 * isolates, which reorder what a line seems to say. Titles, diffs, case evidence
 * and logs come from a model or a candidate: obeyed, `ESC[2K` and a lone CR hide a
 * line of a diff, OSC 52 writes the clipboard, OSC 8 makes a link point elsewhere.
 */
const OBEYED = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

/**
 * Text with every control character a terminal would obey shown instead: C0 and DEL
 * as Unicode's pictures of them (ESC as ␛, CR as ␍), the rest, which have none, as
 * `\u{9b}`. Everything aiai prints goes through here; aiai itself prints no escapes.
 */
export function visible(text: string): string {
  return text.replace(OBEYED, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `\\u{${code.toString(16)}}`;
  });
}

/** Writes a line to stdout, unless its reader went away (`aiai show ID | head -1`). */
export function print(text: string): void {
  write(visible(text));
}

/**
 * JSON escapes C0 but leaves DEL, C1 and the bidirectional controls raw: escaped
 * here too, the output is still JSON and parses back to the same strings.
 */
export function printJson(value: unknown): void {
  write(JSON.stringify(value, null, 2).replace(OBEYED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function write(text: string): void {
  if (!stdoutClosed) process.stdout.write(`${text}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`aiai: ${visible(text)}\n`);
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
