// The Slurm executor's figures for `npm run bench`, or alone: `node --import tsx bench/slurm.ts` (root: it starts a cluster), which rewrites only its rows of BENCHMARKS.md.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Store } from '../src/core/record/store';
import { CLI, ROOT, tempDir } from '../test/helpers';
import { startSlurm, stopSlurm } from '../test/fixtures/slurmCluster';
import { evalDurations, generatedRepo, median, timeCommand } from './scale';

export interface SlurmFigures {
  candidates: number;
  rounds: number;
  /** Eval runs per candidate, on average (the cascade runs the holdout for an improvement only). */
  evalsPerCandidate: number;
  /** The loop's own time per candidate, evals aside, with the local executor and with Slurm: medians over the rounds. */
  localOverheadMs: number;
  slurmOverheadMs: number;
  /** Wall time of the Slurm runs with --parallel 1 and --parallel 2: medians over the rounds. */
  wallP1Ms: number;
  wallP2Ms: number;
}

/** A candidate as users write them: a quick gate, the train eval of the objective, and a holdout run for improvements only. */
const EVALS = {
  evals: [
    { name: 'gate', command: 'sh eval/score.sh', timeoutSec: 60, gate: { metric: 'score', min: 0 } },
    { name: 'train', command: 'sh eval/score.sh', timeoutSec: 60 },
    { name: 'holdout', command: 'sh eval/score.sh', timeoutSec: 60, holdout: true },
  ],
};

/**
 * On a single-node Slurm with two CPUs, started for the purpose: `aiai run` on a
 * generated repository of 200 files with three evals (gate, train, holdout) that each
 * sleep 0.5 s, timed from outside, less every eval's own duration (from the records),
 * over the candidates; locally and on Slurm with --parallel 1, then on Slurm with
 * --parallel 2. Each is run `rounds` times on fresh copies, and the medians kept.
 */
export function slurmFigures(candidates: number, rounds = 3): SlurmFigures {
  startSlurm();
  try {
    const run = (dir: string, parallel: number): number =>
      timeCommand(process.execPath, [CLI, 'run', '--iterations', String(candidates), '--parallel', String(parallel)], dir);
    const repo = (slurm: boolean): string => generatedRepo(200, 0.5, { ...EVALS, ...(slurm ? { executor: { kind: 'slurm', sharedDir: tempDir('aiai-bench-shared-') } } : {}) });
    const local: number[] = [];
    const onSlurm: number[] = [];
    const p1: number[] = [];
    const p2: number[] = [];
    const evalRuns: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const l = repo(false);
      local.push((run(l, 1) - evalDurations(l)) / candidates);
      const s = repo(true);
      const wall = run(s, 1);
      p1.push(wall);
      onSlurm.push((wall - evalDurations(s)) / candidates);
      evalRuns.push(new Store(s).candidates().reduce((n, c) => n + (c.evaluation?.evals.length ?? 0), 0) / candidates);
      p2.push(run(repo(true), 2));
    }
    return {
      candidates,
      rounds,
      evalsPerCandidate: median(evalRuns),
      localOverheadMs: median(local),
      slurmOverheadMs: median(onSlurm),
      wallP1Ms: median(p1),
      wallP2Ms: median(p2),
    };
  } finally {
    stopSlurm();
  }
}

/** The table rows bench/run.ts writes into BENCHMARKS.md; each names Slurm, which is how a run of this file alone finds them. */
export function slurmRows(f: SlurmFigures): Array<[string, string]> {
  return [
    [
      `the loop's own time per candidate on Slurm vs locally: single-node Slurm, gate + train + holdout evals of 0.5 s (${f.evalsPerCandidate.toFixed(1)} eval runs per candidate), ${f.candidates} candidates, --parallel 1, median of ${f.rounds} (target: at most 1 s more)`,
      `${f.slurmOverheadMs.toFixed(0)} ms vs ${f.localOverheadMs.toFixed(0)} ms: +${(f.slurmOverheadMs - f.localOverheadMs).toFixed(0)} ms`,
    ],
    [
      `wall time of ${f.candidates} candidates on Slurm (2 CPUs), --parallel 1 vs --parallel 2, median of ${f.rounds}`,
      `${(f.wallP1Ms / 1000).toFixed(2)} s vs ${(f.wallP2Ms / 1000).toFixed(2)} s: ${(f.wallP1Ms / f.wallP2Ms).toFixed(2)}×`,
    ],
  ];
}

/** Replaces the Slurm rows of BENCHMARKS.md's table, leaving every other figure as it was measured. */
function writeRows(rows: Array<[string, string]>): void {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => !(l.startsWith('| ') && l.includes('on Slurm')));
  const lastRow = lines.reduce((last, l, i) => (l.startsWith('| ') ? i : last), -1);
  lines.splice(lastRow + 1, 0, ...rows.map(([name, value]) => `| ${name} | ${value} |`));
  writeFileSync(file, lines.join('\n'));
}

if (require.main === module) {
  const rows = slurmRows(slurmFigures(8));
  for (const [name, value] of rows) console.log(`${name}: ${value}`);
  writeRows(rows);
}
