// The Slurm executor's figures for `npm run bench`, or alone: `node --import tsx bench/slurm.ts` (root: it starts a cluster).
import { CLI, tempDir } from '../test/helpers';
import { startSlurm, stopSlurm } from '../test/fixtures/slurmCluster';
import { evalDurations, generatedRepo, timeCommand } from './scale';

export interface SlurmFigures {
  candidates: number;
  /** The loop's own time per candidate, evals aside, with the local executor and with Slurm. */
  localOverheadMs: number;
  slurmOverheadMs: number;
  /** Wall time of the Slurm runs with --parallel 1 and --parallel 2. */
  wallP1Ms: number;
  wallP2Ms: number;
}

/**
 * On a single-node Slurm with two CPUs, started for the purpose: `aiai run` on a
 * generated repository of 200 files whose one eval sleeps 1 s, timed from outside,
 * less every eval's own duration (from the records), over the candidates; locally and
 * on Slurm with --parallel 1, then on Slurm with --parallel 2.
 */
export function slurmFigures(candidates: number): SlurmFigures {
  startSlurm();
  try {
    const run = (dir: string, parallel: number): number =>
      timeCommand(process.execPath, [CLI, 'run', '--iterations', String(candidates), '--parallel', String(parallel)], dir);
    const onSlurm = (): string => generatedRepo(200, 1, { executor: { kind: 'slurm', sharedDir: tempDir('aiai-bench-shared-') } });
    const local = generatedRepo(200, 1);
    const localWall = run(local, 1);
    const slurm = onSlurm();
    const wallP1Ms = run(slurm, 1);
    const wallP2Ms = run(onSlurm(), 2);
    return {
      candidates,
      localOverheadMs: (localWall - evalDurations(local)) / candidates,
      slurmOverheadMs: (wallP1Ms - evalDurations(slurm)) / candidates,
      wallP1Ms,
      wallP2Ms,
    };
  } finally {
    stopSlurm();
  }
}

/** The table rows bench/run.ts writes into BENCHMARKS.md. */
export function slurmRows(f: SlurmFigures): Array<[string, string]> {
  return [
    [
      `the loop's own time per candidate on Slurm vs locally: single-node Slurm, 1 s eval, ${f.candidates} candidates, --parallel 1 (target: at most 1 s more)`,
      `${f.slurmOverheadMs.toFixed(0)} ms vs ${f.localOverheadMs.toFixed(0)} ms: +${(f.slurmOverheadMs - f.localOverheadMs).toFixed(0)} ms`,
    ],
    [
      `wall time of ${f.candidates} candidates on Slurm (2 CPUs), --parallel 1 vs --parallel 2`,
      `${(f.wallP1Ms / 1000).toFixed(2)} s vs ${(f.wallP2Ms / 1000).toFixed(2)} s: ${(f.wallP1Ms / f.wallP2Ms).toFixed(2)}×`,
    ],
  ];
}

if (require.main === module) {
  for (const [name, value] of slurmRows(slurmFigures(8))) console.log(`${name}: ${value}`);
}
