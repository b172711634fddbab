import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Store } from '../src/core/record/store';
import { worktreesBase } from '../src/core/git/worktrees';
import { configJson, git, tempDir } from '../test/helpers';

/**
 * A generated repository of `files` files whose one eval sleeps a fixed time and
 * scores a knob, so everything else a run takes is the loop's own cost.
 */
export function generatedRepo(files: number, evalSeconds: number, extra: Record<string, unknown> = {}): string {
  const dir = tempDir('aiai-bench-');
  mkdirSync(path.join(dir, 'agent'), { recursive: true });
  writeFileSync(path.join(dir, 'agent', 'params.json'), '{ "a": 0, "b": 0 }\n');
  for (let i = 0; i < files - 3; i++) {
    const sub = path.join(dir, 'src', `m${Math.floor(i / 100)}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${i}.js`), `// module ${i}\nexport const value${i} = ${i};\n${'// filler line\n'.repeat(20)}`);
  }
  mkdirSync(path.join(dir, 'eval'), { recursive: true });
  writeFileSync(
    path.join(dir, 'eval', 'score.sh'),
    `sleep ${evalSeconds}\nread -r line < agent/params.json\necho "{\\"score\\": $(echo "$line" | tr -cd '0-9' | wc -c)}"\n`,
  );
  mkdirSync(path.join(dir, '.aiai'), { recursive: true });
  return finish(dir, {
    editable: ['agent/**'],
    protected: ['eval/**'],
    evals: [{ name: 'train', command: 'sh eval/score.sh', timeoutSec: 60 }],
    objective: { eval: 'train', metric: 'score', minDelta: 0 },
    knobs: [
      { file: 'agent/params.json', jsonPointer: '/a', min: 0, max: 100, step: 1 },
      { file: 'agent/params.json', jsonPointer: '/b', min: 0, max: 100, step: 1 },
    ],
    proposer: { kind: 'parameter-search', seed: 1 },
    ...extra,
  });
}

function finish(dir: string, config: Record<string, unknown>): string {
  writeFileSync(path.join(dir, '.aiai', 'config.json'), configJson(config));
  writeFileSync(path.join(dir, '.aiai', '.gitignore'), 'runs/\nrun.lock\naudit.jsonl\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'bench');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'generated');
  return dir;
}

/** Wall-clock milliseconds of a command, measured from outside. */
export function timeCommand(file: string, args: string[], cwd: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The floor: a bare `git worktree add` and `git worktree remove` of the repository, where aiai puts its worktrees, in ms. */
export function bareWorktreeMs(dir: string, rounds: number): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const wt = path.join(worktreesBase(), `aiai-floor-${process.pid}-${i}`);
    const started = process.hrtime.bigint();
    execFileSync('git', ['worktree', 'add', '--detach', '--quiet', wt, 'HEAD'], { cwd: dir });
    execFileSync('git', ['worktree', 'remove', '--force', wt], { cwd: dir });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface ScaleFigures {
  floorMs: number;
  overheadMs: number;
  wallP1Ms: number;
  wallP2Ms: number;
}

/**
 * Runs `aiai run --iterations N` from outside on fresh generated repositories, once
 * with --parallel 1 and once with --parallel 2. The loop's own time per candidate is
 * the wall time less every eval command's own duration (from the records), over N.
 */
export function scale(cli: string, files: number, evalSeconds: number, candidates: number): ScaleFigures {
  const one = generatedRepo(files, evalSeconds);
  const floorMs = bareWorktreeMs(one, 7);
  const wallP1Ms = timeCommand(process.execPath, [cli, 'run', '--iterations', String(candidates), '--parallel', '1'], one);
  const evalMs = evalDurations(one);
  const wallP2Ms = timeCommand(process.execPath, [cli, 'run', '--iterations', String(candidates), '--parallel', '2'], generatedRepo(files, evalSeconds));
  return { floorMs, overheadMs: (wallP1Ms - evalMs) / candidates, wallP1Ms, wallP2Ms };
}

/** The time every eval command of the run in `dir` took, by its records. */
export function evalDurations(dir: string): number {
  const store = new Store(dir);
  const run = store.runs()[0]!;
  const evaluations = [run.baseline!, ...store.candidates().map((c) => c.evaluation).filter((e) => e !== undefined)];
  return evaluations.reduce((n, e) => n + e.evals.reduce((m, x) => m + x.durationMs, 0), 0);
}
