import { closeSync, fstatSync, lstatSync, openSync, readFileSync, realpathSync, rmSync, constants } from 'node:fs';
import * as path from 'node:path';
import type { EvalSpec } from '../config/config';

/** The most of an eval's metrics file or report that aiai reads: past it the eval fails, saying so, rather than aiai running out of memory. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/** What an eval wrote as its result, read back: its text, or why it cannot be read; undefined when it wrote nothing. */
export type Written = { text: string } | { problem: string } | undefined;

/** The part of an eval's request that says where its result goes: a run phase writes none (its grade is not its own to write). */
export interface ResultPlace {
  spec: Pick<EvalSpec, 'format' | 'report'>;
  checkout: string;
  phase?: { kind: 'run' | 'grade' };
}

/**
 * Where an eval writes its result: aiai's metrics file in its temp folder, or the
 * report of its format, at its `report` path in the checkout or else in the temp
 * folder. Undefined in a run phase.
 */
function resultFile({ spec, checkout, phase }: ResultPlace, scratch: string): string | undefined {
  if (phase?.kind === 'run') return undefined;
  if (spec.format === 'aiai') return path.join(scratch, 'metrics.json');
  // The extension is the format's: promptfoo picks what it writes by the name of its -o file.
  return spec.report !== undefined ? path.join(checkout, spec.report) : path.join(scratch, spec.format === 'junit' ? 'report.xml' : 'report.json');
}

/** What names the result file to the eval: AIAI_METRICS_FILE, or AIAI_REPORT_FILE for a report. */
export function resultVariables(place: ResultPlace, scratch: string): Record<string, string> {
  const file = resultFile(place, scratch);
  if (file === undefined) return {};
  return place.spec.format === 'aiai' ? { AIAI_METRICS_FILE: file } : { AIAI_REPORT_FILE: file };
}

/**
 * Removes what the checkout holds at the eval's `report` path before the eval runs
 * (a committed file, or an earlier repeat's report), so that only what this run
 * wrote is read.
 */
export function clearReport(place: ResultPlace): void {
  if (place.spec.report === undefined || place.spec.format === 'aiai' || place.phase?.kind === 'run') return;
  const file = path.join(place.checkout, place.spec.report);
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) rmSync(file, { force: true });
}

/**
 * Reads what an eval wrote as its result, after every process of it ended. Only a
 * plain file is read (a link could point where the eval may not show; a pipe would
 * hang aiai), a report path only inside the checkout, and at most MAX_REPORT_BYTES.
 */
export function readResult(place: ResultPlace, scratch: string): Written {
  const file = resultFile(place, scratch);
  if (file === undefined) return undefined;
  const name = writtenName(place.spec);
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (!stat.isFile()) return { problem: `the ${name} (${file}) is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a plain file'}; aiai reads only a plain file` };
  if (place.spec.format !== 'aiai' && place.spec.report !== undefined && !inside(realpathSync(path.dirname(file)), realpathSync(place.checkout))) {
    return { problem: `the ${name} (${file}) lies outside the eval's checkout, through a linked folder; aiai reads only a file inside it` };
  }
  try {
    // O_NOFOLLOW and O_NONBLOCK: whatever took the file's place since cannot make aiai follow a link or wait on a pipe.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_REPORT_BYTES) return { problem: `the ${name} is ${megabytes(size)} (${size.toLocaleString('en-US')} bytes), more than the ${megabytes(MAX_REPORT_BYTES)} aiai reads; it was not read` };
      return { text: readFileSync(fd, 'utf8') };
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { problem: `the ${name} (${file}) cannot be read: ${(error as Error).message}` };
  }
}

/** What a result file is called in a message. */
function writtenName(spec: Pick<EvalSpec, 'format'>): string {
  return spec.format === 'aiai' ? 'metrics file' : spec.format === 'junit' ? 'JUnit report' : 'promptfoo results file';
}

function inside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
}
