import { cpSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, tempDir } from '../test/helpers';
import { bigStore } from './bigStore';
import { timeCommand } from './scale';

export interface StoreTimes {
  candidates: number;
  /** Median milliseconds of each command as a whole process, after one warm-up run. */
  list: number;
  show: number;
  versions: number;
  help: number;
  node: number;
  /** Median milliseconds of `aiai run --iterations RUN_ITERATIONS`, with no other records and with the whole store. */
  runEmpty: number;
  runFull: number;
}

export const RUN_ITERATIONS = 4;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timed(args: string[], cwd: string, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const ms = timeCommand(process.execPath, args, cwd);
    if (i > 0) times.push(ms);
  }
  return median(times);
}

/** `aiai list`, `show` and `versions` on a store of `total` candidates, and the CLI's start against a bare node. */
export function storeTimes(total: number): StoreTimes {
  const { workspace, someId } = bigStore(total);
  return {
    candidates: total,
    list: timed([CLI, 'list'], workspace),
    show: timed([CLI, 'show', someId], workspace),
    versions: timed([CLI, 'versions'], workspace),
    help: timed([CLI, '--help'], workspace),
    node: timed(['-e', '0'], workspace),
    runEmpty: timed([CLI, 'run', '--iterations', String(RUN_ITERATIONS)], withoutRecords(workspace), 3),
    runFull: timed([CLI, 'run', '--iterations', String(RUN_ITERATIONS)], workspace, 3),
  };
}

/** A copy of the workspace without its records: the same repository and config, a store that starts empty. */
function withoutRecords(workspace: string): string {
  const copy = path.join(tempDir(), 'empty-store');
  cpSync(workspace, copy, { recursive: true });
  rmSync(path.join(copy, '.aiai', 'runs'), { recursive: true, force: true });
  return copy;
}
