import { CLI } from '../test/helpers';
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
}

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
  };
}
