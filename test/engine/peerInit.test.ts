import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { configPath, loadConfig } from '../../src/core/config/config';
import { initWorkspace } from '../../src/core/config/init';
import { readKnobValue } from '../../src/core/config/knobs';
import { pathPolicy } from '../../src/core/config/pathPolicy';
import { hiddenBecause } from '../../src/core/propose/visibility';
import { cli, cliWithEnv, commitAll, makeRepo } from '../helpers';
import { peerProject, runJson } from '../fixtures/peerProject';

/*
 * What `aiai init` checks on the real evaluator before the first run, on two projects
 * of the peers' shapes with python3's standard library only: ShinkaEvolve's circle
 * packing (a size the evaluator pins, a constant that changes nothing, the tunable
 * numbers inside expressions, the task in run_evo.py) and an OpenEvolve Heilbronn-like
 * problem (no combined_score, a size the evaluator checks only by counting).
 */



test('init on a ShinkaEvolve circle packing: the pinned size and a constant that changes nothing are no knobs, the numbers inside expressions are, and the task is a context file', () => {
  const dir = peerProject('shinka-circles');
  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /n = 26 \(initial\.py line 13\): not a knob; evaluate\.py pins it, line 15: `n_expected = 26`/);
  assert.match(init.stdout, /FIX_PASSES = 1 \(initial\.py line 7\): not a knob; moving it to 2 leaves combined_score at 1\.8365, to the last digit/);
  assert.match(init.stdout, /knobs: CENTER = 0\.5 \([^)]*\), 0\.3@19:36 = 0\.3 \([^)]*\), 0\.3@19:68 = 0\.3 \([^)]*\), 0\.45@24:36 = 0\.45 \([^)]*\), 0\.45@24:69 = 0\.45 \(/);
  assert.match(init.stdout, /combined_score is the same on seeds 1 and 2 \(1\.8365\): one train run, seed 1, and no holdout/);
  assert.match(init.stdout, /task: task_sys_msg in run_evo\.py copied to TASK\.md, a context file a model proposer reads/);
  assert.match(init.stdout, /checked on the real evaluator: 13 evaluations in [\d.]+ s/, 'two runs of the program as it is, two moves for each of six knobs but FIX_PASSES, which cannot go below 1');

  const config = loadConfig(dir);
  assert.deepEqual(config.protected, ['evaluate.py', 'run_evo.py'], "Shinka's launcher is protected with the evaluator");
  assert.deepEqual(config.evals.map((e) => [e.name, e.repeats, e.holdout]), [['train', 1, false]], 'scores that do not vary get no repeats and no holdout');
  assert.deepEqual(config.budget, { iterations: 10, patience: 10 });
  const program = readFileSync(path.join(dir, 'initial.py'), 'utf8');
  for (const knob of config.knobs) {
    const read = readKnobValue(knob, program);
    assert.ok(read.ok, `${knob.name}: ${read.ok ? '' : read.error}`);
  }
  assert.deepEqual(
    config.knobs.map((k) => k.name),
    ['CENTER', '0.3@19:36', '0.3@19:68', '0.45@24:36', '0.45@24:69'],
    'each of the two 0.3s on line 19 is its own knob, found by a pattern that matches once',
  );

  assert.deepEqual(config.context, ['TASK.md']);
  const task = readFileSync(path.join(dir, 'TASK.md'), 'utf8');
  assert.match(task, /^<!-- The task, as ShinkaEvolve gives it to its models \(task_sys_msg in run_evo\.py\)/);
  assert.match(task, /Your task is to pack 26 circles in a unit square to maximize the sum of their radii\.\n\nKey directions to explore:\n1\. Hexagonal/);
  assert.equal(hiddenBecause(pathPolicy(config), 'TASK.md'), undefined, 'a model proposer is shown it');

  commitAll(dir, 'aiai init');
  const summary = runJson(dir, '--iterations', '2');
  assert.equal(summary.candidates.length, 2);
  for (const c of summary.candidates) {
    assert.match(c.title, /@\d+:\d+ [\d.]+ → [\d.]+/, `the parameter search moves the numbers inside expressions: ${c.title}`);
    assert.ok(['rejected', 'pending'].includes(c.status), `${c.title}: ${c.status} ${c.reason ?? ''}`);
  }
});

test('init on an OpenEvolve project without combined_score: the mean of its metrics is the objective, a size it counts is dropped, a range stops where the evaluator breaks, and --patience stops the run', () => {
  const dir = peerProject('openevolve-points');
  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /objective: combined_score, as the evaluator reports no combined_score, and OpenEvolve then ranks programs by the mean of its metrics, which the adapter adds as combined_score/);
  assert.match(
    init.stdout,
    /POINTS = 13 \(initial_program\.py line 4\): not a knob; the evaluator fails when it moves \(12: scores 0 \(the program as it is scores 0\.4512\); 14: scores 0 \(the program as it is scores 0\.4512\)\)/,
  );
  assert.match(
    init.stdout,
    /0\.05@9:14 = 0\.05 \(initial_program\.py line 9\): not a knob; moving it to 0\.049 leaves combined_score at 0\.4512, to the last digit \([^)]*\), and 0\.051: scores 0/,
    'shifting the grid changes no score, and past 0.05 it leaves the square',
  );
  assert.match(init.stdout, /0\.95@9:21 = 0\.95 \(initial_program\.py line 9\): its range stops at 0\.95, where the evaluator breaks one step further \(0\.96: scores 0/);
  assert.match(init.stdout, /task: no task description found \(prompt\.system_message in config\.yaml\)/);
  const config = loadConfig(dir);
  assert.deepEqual(
    config.knobs.map((k) => [k.name, 'max' in k && k.max]),
    [
      ['0.95@9:21', 0.95],
      ['0.95@9:53', 0.95],
    ],
  );
  assert.deepEqual(config.objective, { eval: 'train', metric: 'combined_score', direction: 'maximize', minDelta: 0 });
  assert.deepEqual(config.evals.map((e) => e.name), ['train']);

  // No candidate can improve by 1000: every one counts against patience.
  writeFileSync(configPath(dir), readFileSync(configPath(dir), 'utf8').replace('"minDelta": 0', '"minDelta": 1000'));
  commitAll(dir, 'aiai init');
  const summary = runJson(dir, '--iterations', '5', '--patience', '2');
  assert.equal(summary.candidates.length, 2);
  assert.equal(summary.run.stopReason, 'no improvement in 2 candidates in a row (patience)');
  const baseline = summary.run.baseline?.evals?.find((e) => e.name === 'train');
  assert.ok(baseline?.status === 'passed', baseline?.reason);
  const { min_area: area, spread, combined_score: combined } = baseline.metrics;
  assert.ok(Math.abs(combined! - (area! + spread!) / 2) < 1e-12, 'combined_score is the mean of the metrics the evaluator reports');
});

/** A Shinka project whose evaluator fails on any program, saying `failure` (a Python expression). */
function failingProject(failure: string): string {
  return makeRepo({
    'initial.py': '# EVOLVE-BLOCK-START\nRATE = 0.5\n# EVOLVE-BLOCK-END\n',
    'evaluate.py': [
      'import argparse',
      'import os',
      '',
      'def main(program_path, results_dir):',
      `    raise RuntimeError(${failure})`,
      '',
      'if __name__ == "__main__":',
      '    parser = argparse.ArgumentParser()',
      '    parser.add_argument("--program_path")',
      '    parser.add_argument("--results_dir")',
      '    args = parser.parse_args()',
      '    main(args.program_path, args.results_dir)',
      '',
    ].join('\n'),
  });
}

test('init on a project whose evaluator fails on the program as it is says so, and keeps its guesses unchecked', () => {
  const dir = failingProject('"the data folder is missing"');
  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /the evaluator failed on the program as it is \(RuntimeError: the data folder is missing\), so init checked nothing: one train run, seed 1, and no holdout/);
  assert.match(init.stdout, /checked on the real evaluator: 1 evaluation in [\d.]+ s \(the program as it is, which failed\)/);
  assert.deepEqual(loadConfig(dir).knobs.map((k) => k.name), ['RATE']);
});

test("init's runs of the evaluator see none of the person's keys, as an eval sees none", () => {
  const dir = failingProject('"sees " + (", ".join(k for k in ("ANTHROPIC_API_KEY", "GITHUB_TOKEN") if k in os.environ) or "no key")');
  const init = cliWithEnv({ ANTHROPIC_API_KEY: 'sk-NOT-A-REAL-KEY', GITHUB_TOKEN: 'ghp_NOT-A-REAL-TOKEN' }, dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /\(RuntimeError: sees no key\)/);
});

test("init's runs of the evaluator are sandboxed as an eval's: a file of the home folder is out of their sight", async () => {
  ensureDebianPackages(['bubblewrap']);
  // A home outside /tmp, which every sandbox has fresh anyway: what hides the file is the home folder's hiding.
  mkdirSync('/srv', { recursive: true });
  const home = mkdtempSync('/srv/aiai-peer-home-');
  after(() => rmSync(home, { recursive: true, force: true }));
  const secret = path.join(home, '.secret-token');
  writeFileSync(secret, 'NOT-A-REAL-SECRET');
  const dir = failingProject(`"reads " + open(${JSON.stringify(secret)}).read() if os.path.exists(${JSON.stringify(secret)}) else "sees no home file"`);
  const init = cliWithEnv({ HOME: home }, dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /\(RuntimeError: sees no home file\)/);
  assert.match(init.stdout, /checked on the real evaluator: 1 evaluation in [\d.]+ s \(the program as it is, which failed\), in the sandbox$/m);
  // The check is real: tried without a sandbox, the same evaluator reads it.
  const open = await initWorkspace(failingProject(`"reads " + open(${JSON.stringify(secret)}).read()`));
  assert.ok(open.notes.some((n) => n.includes('(RuntimeError: reads NOT-A-REAL-SECRET)')), open.notes.join('\n'));
});
