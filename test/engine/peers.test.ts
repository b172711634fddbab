import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/core/config/config';
import { changeOutsideBlocks, evolveBlocks } from '../../src/core/config/evolveBlocks';
import { isChoiceKnob, readKnobValue } from '../../src/core/config/knobs';
import { pathPolicy } from '../../src/core/config/pathPolicy';
import { hiddenBecause } from '../../src/core/propose/visibility';
import { runLoop } from '../../src/core/loop/loop';
import type { EvalOutcome } from '../../src/core/grade/evaluation';
import { proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cli, commitAll } from '../helpers';
import { peerProject, runJson } from '../fixtures/peerProject';

/*
 * Projects laid out for OpenEvolve (a trimmed copy of its function_minimization
 * example, with a cascade stage and a task description) and for ShinkaEvolve (an evaluator in the shape of its examples, through
 * run_shinka_eval), taken as they are by `aiai init`, graded by real python3 with
 * neither package installed.
 */



const train = (evals: EvalOutcome[] | undefined): EvalOutcome => {
  const outcome = evals?.find((e) => e.name === 'train');
  assert.ok(outcome, 'a train eval ran');
  return outcome;
};

test('the adapter stands in for the peers\' packages: neither openevolve nor shinka is installed here', () => {
  for (const name of ['openevolve', 'shinka']) {
    assert.notEqual(spawnSync('python3', ['-c', `import ${name}`]).status, 0, `${name} must not be importable for these tests to mean anything`);
  }
});

test('init takes an OpenEvolve project as it is: program editable in its block, evaluator protected, seeded train and holdout, knobs, combined_score', () => {
  const dir = peerProject('openevolve');
  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /OpenEvolve layout: initial_program\.py may change between its EVOLVE-BLOCK markers \(lines 1–36\); evaluator\.py, config\.yaml are protected/);
  assert.match(init.stdout, /objective: combined_score, as the evaluator reports combined_score/);
  assert.match(init.stdout, /combined_score differs between seeds 1 and 2 \([\d.]+, [\d.]+\): train runs seeds 1–3, holdout seeds 1001–1003, which no proposer sees/);
  assert.match(init.stdout, /gate: stage1 runs evaluate_stage1 first; a candidate below 0\.5 on combined_score \(the first of evaluator\.cascade_thresholds in config\.yaml\) goes no further; the program as it is scores [\d.]+ there\n/);
  assert.match(init.stdout, /task: prompt\.system_message in config\.yaml copied to TASK\.md, a context file a model proposer reads/);
  assert.match(init.stdout, /checked on the real evaluator: 5 evaluations in [\d.]+ s \(the program as it is on seeds 1 and 2, its stage 1, and each knob one step each way\)/);
  assert.match(init.stdout, /knobs: iterations = 200 \(/);
  assert.match(init.stdout, /evaluator\.py imports initial_program\.py: the candidate's code runs inside your grader, where it can read the answers and write its own score\. Split it into a "command" that runs the program /);
  assert.match(init.stdout, /Next: `aiai run`; commit \.aiai\//);

  const config = loadConfig(dir);
  assert.deepEqual(config.editable, ['initial_program.py']);
  assert.deepEqual(config.protected, ['evaluator.py', 'config.yaml']);
  assert.deepEqual(config.objective, { eval: 'train', metric: 'combined_score', direction: 'maximize', minDelta: 0 });
  assert.deepEqual(config.context, ['TASK.md']);
  assert.match(readFileSync(path.join(dir, 'TASK.md'), 'utf8'), /Your task is to\nimprove a function minimization algorithm[^]*\n\nFocus on escaping local minima/, 'the block scalar, its lines and blank line kept');
  assert.equal(hiddenBecause(pathPolicy(config), 'TASK.md'), undefined, 'a model proposer is shown it');
  assert.deepEqual(config.budget, { iterations: 10, patience: 10 }, 'patience no lower than the iterations');
  const [stage1Spec, trainSpec, holdoutSpec] = config.evals;
  assert.equal(stage1Spec?.command, 'python3 .aiai/adapters/peer_eval.py openevolve evaluator.py initial_program.py --stage1 --seed 1');
  assert.deepEqual({ ...stage1Spec?.gate }, { metric: 'combined_score', min: 0.5 });
  assert.equal(trainSpec?.command, 'python3 .aiai/adapters/peer_eval.py openevolve evaluator.py initial_program.py --seed 1');
  assert.equal(trainSpec?.repeats, 3);
  assert.equal(trainSpec?.timeoutSec, 60, "config.yaml's evaluator.timeout");
  assert.equal(holdoutSpec?.command, 'python3 .aiai/adapters/peer_eval.py openevolve evaluator.py initial_program.py --seed 1001');
  assert.equal(holdoutSpec?.holdout, true);
  assert.ok(existsSync(path.join(dir, '.aiai', 'adapters', 'peer_eval.py')));

  const program = readFileSync(path.join(dir, 'initial_program.py'), 'utf8');
  assert.deepEqual(config.knobs.map((k) => k.name), ['iterations'], 'the one named constant inside the block; bounds is a tuple, the rest is outside');
  const [knob] = config.knobs;
  const read = readKnobValue(knob!, program);
  assert.ok(read.ok && read.value === 200, 'the knob reads the constant in the program');
  assert.ok(knob && !isChoiceKnob(knob) && knob.min < 200 && knob.max > 200, 'a range around the constant');
});

test('an OpenEvolve project runs without the openevolve package: combined_score recorded, artifacts as feedback', () => {
  const dir = peerProject('openevolve');
  assert.equal(cli(dir, 'init').code, 0);
  // Straight after init, nothing committed: the adapter is built in, and evaluations get aiai's own copy.
  const summary = runJson(dir, '--iterations', '2');
  const baseline = train(summary.run.baseline?.evals);
  assert.equal(baseline.status, 'passed', baseline.reason);
  assert.equal(typeof baseline.metrics.combined_score, 'number');
  assert.ok(baseline.metrics.combined_score! > 0);
  const stage1 = summary.run.baseline?.evals?.find((e) => e.name === 'stage1');
  assert.ok(stage1?.status === 'passed', stage1?.reason);
  const { runs_successfully: runs, value_score: value, distance_score: distance, combined_score: combined } = stage1.metrics;
  assert.ok(Math.abs(combined! - (runs! + value! + distance!) / 3) < 1e-12, 'evaluate_stage1 reports no combined_score: the mean of its metrics, as OpenEvolve checks the threshold');
  assert.equal(baseline.repeated?.runs, 3, 'one run per train seed');
  assert.match(baseline.feedback ?? '', /^artifacts:\n {2}convergence_info: Converged in 5 trials with 5 successes$/m);
  assert.match(baseline.feedback ?? '', /search_efficiency: Success rate: 100\.00%/);
  assert.equal(summary.candidates.length, 2);
  // The first from the baseline's 200; the second from the best so far, which may be the first.
  assert.match(summary.candidates[0]!.title, /^iterations 200 → \d+$/);
  for (const c of summary.candidates) {
    assert.match(c.title, /^iterations \d+ → \d+$/, `the parameter search moves the constant in the block: ${c.title}`);
    assert.notEqual(c.status, 'refused', c.reason);
  }
});

test('an edit outside the evolve block is refused by the guard with the file and line; inside it is graded, and non-numeric values become feedback', async () => {
  const dir = peerProject('openevolve');
  assert.equal(cli(dir, 'init').code, 0);
  commitAll(dir, 'aiai init');
  const program = readFileSync(path.join(dir, 'initial_program.py'), 'utf8');
  const fixedLine = program.split('\n').findIndex((l) => l.includes('(x**2 + y**2) / 20')) + 1;
  const proposer = new ScriptedProposer([
    () => proposal('a kinder function', [{ path: 'initial_program.py', search: '(x**2 + y**2) / 20', replace: '(x**2 + y**2) / 2' }]),
    () => proposal('drop the end marker', [{ path: 'initial_program.py', search: '# EVOLVE-BLOCK-END\n', replace: '' }]),
    () => proposal('a search that crashes', [{ path: 'initial_program.py', search: '    # Initialize with a random point\n', replace: '    raise ValueError("no search today")\n' }]),
  ]);
  const summary = await runLoop(dir, { proposer, signal: new AbortController().signal, iterations: 3 });
  const [outside, marker, inside] = summary.candidates;

  assert.equal(outside?.status, 'refused');
  assert.equal(
    outside?.reason,
    `"initial_program.py", line ${fixedLine}: the edit changes a line outside the evolve blocks; only the lines between EVOLVE-BLOCK-START and EVOLVE-BLOCK-END may change (between lines 1 and 36)`,
  );
  assert.equal(marker?.status, 'refused');
  assert.match(marker?.reason ?? '', /^"initial_program\.py", line 36: the edit adds or removes an EVOLVE-BLOCK marker/);

  assert.ok(inside?.evaluation, inside?.reason);
  const crashed = inside.evaluation.evals?.find((e) => e.name === 'stage1');
  assert.ok(crashed, 'the stage-1 gate ran');
  assert.equal(crashed.metrics.combined_score, 0);
  assert.equal(crashed.metrics.error, undefined, 'a string is no metric');
  assert.match(crashed.feedback ?? '', /^error: no search today$/m);
  assert.ok(!inside.evaluation.evals?.some((e) => e.name === 'train'), 'below the first cascade threshold, the full evaluation does not run');
});

test('evolve blocks: markers in any comment style, unbalanced markers named by line', () => {
  const go = 'package main\n\n// EVOLVE-BLOCK-START\nconst steps = 3\n// EVOLVE-BLOCK-END\n\nfunc main() {}\n';
  assert.deepEqual(evolveBlocks(go), { ok: true, blocks: [{ start: 3, end: 5 }] });
  assert.equal(changeOutsideBlocks(go, go.replace('steps = 3', 'steps = 4')), undefined);
  assert.match(changeOutsideBlocks(go, go.replace('func main() {}', 'func main() { panic(1) }')) ?? '', /^line 7: the edit changes a line outside the evolve blocks/);
  assert.equal(changeOutsideBlocks('print("EVOLVE-BLOCK-START")\n', 'print(1)\n'), undefined, 'a string that mentions the marker is no marker');
  const docstring = '"""\nEVOLVE-BLOCK-START is what OpenEvolve looks for.\n"""\nx = 1\n';
  assert.deepEqual(evolveBlocks(docstring), { ok: true, blocks: [] }, 'nor is a line of a docstring that begins with it');
  assert.match(changeOutsideBlocks('x = 1\n# EVOLVE-BLOCK-START\ny = 2\n', 'x = 1\n# EVOLVE-BLOCK-START\ny = 3\n') ?? '', /^line 2: EVOLVE-BLOCK-START with no EVOLVE-BLOCK-END after it/);
});

test('init takes a ShinkaEvolve project: run_shinka_eval stood in for, public metrics kept, private ones left out, text feedback passed on', () => {
  const dir = peerProject('shinka');
  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /ShinkaEvolve layout: initial\.py may change between its EVOLVE-BLOCK markers \(lines 3–13\); evaluate\.py is protected/);
  assert.match(init.stdout, /combined_score is the same on seeds 1 and 2 \([\d.]+\): one train run, seed 1, and no holdout/);
  assert.match(init.stdout, /task: no task description found \(task_sys_msg in run_evo\.py\)/);
  const config = loadConfig(dir);
  assert.deepEqual(config.editable, ['initial.py']);
  assert.deepEqual(config.protected, ['evaluate.py']);
  assert.deepEqual(config.evals.map((e) => [e.name, e.command, e.holdout]), [['train', 'python3 .aiai/adapters/peer_eval.py shinka evaluate.py initial.py --seed 1', false]]);
  assert.equal(config.objective.metric, 'combined_score');
  assert.deepEqual(config.knobs.map((k) => k.name), ['CUBIC', 'QUINTIC'], 'SAMPLES is outside the block');

  commitAll(dir, 'aiai init');
  const summary = runJson(dir, '--iterations', '2');
  const baseline = train(summary.run.baseline?.evals);
  assert.equal(baseline.status, 'passed', baseline.reason);
  assert.ok(baseline.metrics.combined_score! > 0);
  assert.equal(typeof baseline.metrics.rmse, 'number', 'public metrics are metrics');
  assert.equal(baseline.metrics.num_valid_runs, 1, "run_shinka_eval's own counts");
  assert.ok(!('num_points' in baseline.metrics) && !('private.num_points' in baseline.metrics), 'private metrics stay out');
  assert.match(baseline.feedback ?? '', /^The largest error, [\d.]+, is at x=/);
  assert.match(baseline.feedback ?? '', /^worst_point: x=/m);
  assert.doesNotMatch(baseline.feedback ?? '', /num_points/);
  assert.equal(summary.candidates.length, 2);
  for (const c of summary.candidates) {
    assert.match(c.title, /^(?:CUBIC|QUINTIC) [\d.]+ → [\d.]+(?:, (?:CUBIC|QUINTIC) [\d.]+ → [\d.]+)?$/, `the parameter search moves the constants in the block: ${c.title}`);
    assert.notEqual(c.status, 'refused', c.reason);
  }
});
