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
  /** The loop's own time per candidate, evals aside, with the local executor and with Slurm (srun, and sbatch): medians over the rounds. */
  localOverheadMs: number;
  slurmOverheadMs: number;
  sbatchOverheadMs: number;
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
 * --parallel 2, then with batch jobs (submit "sbatch") and --parallel 1. Each is run `rounds` times on fresh copies, and the medians kept.
 */
export function slurmFigures(candidates: number, rounds = 3): SlurmFigures {
  startSlurm();
  try {
    const run = (dir: string, parallel: number): number =>
      timeCommand(process.execPath, [CLI, 'run', '--iterations', String(candidates), '--parallel', String(parallel)], dir);
    const repo = (submit?: 'srun' | 'sbatch'): string =>
      generatedRepo(200, 0.5, { ...EVALS, ...(submit ? { executor: { kind: 'slurm', sharedDir: tempDir('aiai-bench-shared-'), submit } } : {}) });
    const overhead = (dir: string, wall: number): number => (wall - evalDurations(dir)) / candidates;
    const local: number[] = [];
    const onSlurm: number[] = [];
    const batch: number[] = [];
    const p1: number[] = [];
    const p2: number[] = [];
    const evalRuns: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const l = repo();
      local.push(overhead(l, run(l, 1)));
      const s = repo('srun');
      const wall = run(s, 1);
      p1.push(wall);
      onSlurm.push(overhead(s, wall));
      evalRuns.push(new Store(s).candidates().reduce((n, c) => n + (c.evaluation?.evals.length ?? 0), 0) / candidates);
      p2.push(run(repo('srun'), 2));
      const b = repo('sbatch');
      batch.push(overhead(b, run(b, 1)));
    }
    return {
      candidates,
      rounds,
      evalsPerCandidate: median(evalRuns),
      localOverheadMs: median(local),
      slurmOverheadMs: median(onSlurm),
      sbatchOverheadMs: median(batch),
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
      `the loop's own time per candidate on Slurm (srun, the default) vs locally: single-node Slurm, gate + train + holdout evals of 0.5 s (${f.evalsPerCandidate.toFixed(1)} eval runs per candidate), ${f.candidates} candidates, --parallel 1, median of ${f.rounds} (target: at most 1 s more)`,
      `${f.slurmOverheadMs.toFixed(0)} ms vs ${f.localOverheadMs.toFixed(0)} ms: +${(f.slurmOverheadMs - f.localOverheadMs).toFixed(0)} ms`,
    ],
    [
      `the same on Slurm with executor.submit "sbatch" (batch jobs, started at slurmctld's next pass) vs locally`,
      `${f.sbatchOverheadMs.toFixed(0)} ms vs ${f.localOverheadMs.toFixed(0)} ms: +${(f.sbatchOverheadMs - f.localOverheadMs).toFixed(0)} ms`,
    ],
    [
      `wall time of ${f.candidates} candidates on Slurm (srun, 2 CPUs), --parallel 1 vs --parallel 2, median of ${f.rounds}`,
      `${(f.wallP1Ms / 1000).toFixed(2)} s vs ${(f.wallP2Ms / 1000).toFixed(2)} s: ${(f.wallP1Ms / f.wallP2Ms).toFixed(2)}×`,
    ],
  ];
}

/** Replaces the Slurm rows of BENCHMARKS.md's table, leaving every other figure as it was measured. */
function writeRows(rows: Array<[string, string]>): void {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const isOurs = (l: string): boolean => l.startsWith('| ') && l.includes('on Slurm');
  const all = readFileSync(file, 'utf8').split('\n');
  const lines = all.filter((l) => !isOurs(l));
  // Where the rows stood (nothing of ours comes before them), or else at the end of the first table: the search's table follows it.
  let at = all.findIndex(isOurs);
  if (at < 0) for (at = lines.findIndex((l) => l.startsWith('|')); lines[at]?.startsWith('|'); ) at++;
  if (at < 0) at = lines.length;
  lines.splice(at, 0, ...rows.map(([name, value]) => `| ${name} | ${value} |`));
  writeFileSync(file, lines.join('\n'));
}

if (require.main === module) {
  const rows = slurmRows(slurmFigures(8));
  for (const [name, value] of rows) console.log(`${name}: ${value}`);
  writeRows(rows);
}
