import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseConfig } from '../../src/core/config/config';
import { ConfigError } from '../../src/core/common/errors';
import { cli, configJson, makeRepo, writeFiles } from '../helpers';

const FILE = '/ws/.aiai/config.json';

function problems(text: string, workspace = '/ws'): string[] {
  try {
    parseConfig(text, FILE, workspace);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message.split('\n');
  }
  assert.fail('the config was accepted');
}

const minimal = {
  editable: ['agent/**'],
  evals: [{ name: 'train', command: 'node score.js' }],
  objective: { eval: 'train', metric: 'accuracy' },
};

test('a minimal config gets the documented defaults', () => {
  const config = parseConfig(configJson(minimal), FILE, '/ws');
  assert.deepEqual(config.protected, []);
  assert.equal(config.evals[0]!.timeoutSec, 300);
  assert.equal(config.evals[0]!.holdout, false);
  assert.equal(config.objective.direction, 'maximize');
  assert.equal(config.objective.minDelta, 0);
  assert.equal(config.proposer.kind, 'parameter-search');
  assert.equal(config.budget.iterations, 10);
  assert.equal(config.parallel, 1);
});

test('comments and trailing commas are allowed', () => {
  const text = `// the agent\n{\n  "editable": ["agent/**"], /* code */\n  "evals": [{ "name": "train", "command": "x" },],\n  "objective": { "eval": "train", "metric": "m" },\n}\n`;
  assert.equal(parseConfig(text, FILE, '/ws').editable[0], 'agent/**');
});

test('malformed JSON names file, line and column', () => {
  const text = '{\n  "editable": ["agent/**"]\n  "evals": []\n}\n';
  const [first] = problems(text);
  assert.match(first!, /^\/ws\/\.aiai\/config\.json:3:3: invalid JSON: expected a comma/);
});

test('an unknown key is named, at its own line and column', () => {
  const text = configJson({ ...minimal, objective: { ...minimal.objective, metrc: 'x' } });
  const lines = problems(text);
  assert.equal(lines.length, 1);
  const line = text.split('\n').findIndex((l) => l.includes('"metrc"')) + 1;
  const column = text.split('\n')[line - 1]!.indexOf('"metrc"') + 1;
  assert.equal(lines[0], `${FILE}:${line}:${column}: unknown key "metrc" in "objective" (allowed: eval, metric, direction, minDelta)`);
});

test('a wrong type points at the value', () => {
  const text = configJson({ ...minimal, evals: [{ name: 'train', command: 'x', timeoutSec: 'soon' }] });
  const [first] = problems(text);
  const line = text.split('\n').findIndex((l) => l.includes('"soon"')) + 1;
  assert.match(first!, new RegExp(`^${FILE}:${line}:\\d+: "evals\\[0\\]\\.timeoutSec" must be a number$`));
});

test('a missing required key is reported', () => {
  const { objective: _, ...rest } = minimal;
  assert.match(problems(configJson(rest))[0]!, /:1:1: the config is missing the required key "objective"/);
});

test('an objective naming an undefined eval is refused, with the evals listed', () => {
  const text = configJson({ ...minimal, objective: { eval: 'tarin', metric: 'accuracy' } });
  const [first] = problems(text);
  const line = text.split('\n').findIndex((l) => l.includes('"tarin"')) + 1;
  assert.match(first!, new RegExp(`:${line}:\\d+: objective names eval "tarin", which is not defined \\(evals: "train"\\)`));
});

test('the objective may not be a holdout eval', () => {
  const text = configJson({ ...minimal, evals: [{ name: 'train', command: 'x', holdout: true }] });
  assert.match(problems(text)[0]!, /objective eval "train" is a holdout eval/);
});

test('knobs: a bad pattern is located when the config loads; a missing file, pointer or match when a run starts, against the committed version', () => {
  const knobs = [
    { file: 'agent/nope.json', jsonPointer: '/a', min: 0, max: 1, step: 0.1 },
    { file: 'agent/params.json', jsonPointer: '/a/c', min: 0, max: 1, step: 0.1 },
    { file: 'agent/params.json', jsonPointer: '/a/b', min: 0, max: 5, step: 1 },
    { file: 'agent/x.py', pattern: 'N = \\d+', min: 0, max: 5, step: 1 },
  ];
  const text = configJson({ ...minimal, knobs });
  const lineOf = (needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const loaded = problems(text);
  assert.equal(loaded.length, 1);
  assert.match(loaded[0]!, new RegExp(`:${lineOf('N = ')}:\\d+: knob "x.py#4": pattern must have exactly one capture group`));

  const fixed = configJson({ ...minimal, knobs: knobs.slice(0, 3) });
  const dir = makeRepo({ 'agent/params.json': '{ "a": { "b": 1 } }\n', '.aiai/config.json': fixed });
  const run = cli(dir, 'run');
  assert.equal(run.code, 2);
  const fixedLine = (needle: string): number => fixed.split('\n').findIndex((l) => l.includes(needle)) + 1;
  assert.match(run.stderr, new RegExp(`config\\.json:${fixedLine('agent/nope.json')}:\\d+: knob "a": file "agent/nope.json" is not in the current version`));
  assert.match(run.stderr, new RegExp(`config\\.json:${fixedLine('"/a/c"')}:\\d+: knob "c" in agent/params.json: JSON pointer "/a/c" does not exist in the file`));
});

test('a backslash escape that JSON does not know, as in a regex pattern, gets a hint', () => {
  const text = configJson(minimal).replace('"node score.js"', '"grep \\d x"');
  assert.match(problems(text)[0]!, /invalid escape character \(in a JSON string a backslash is written twice: the regular expression \\d is "\\\\d"\)/);
});

test('loadConfig reads .aiai/config.json from the workspace, and says how to create one when missing', () => {
  const dir = makeRepo({ 'agent/a.txt': 'a\n' });
  assert.throws(() => loadConfig(dir), /no aiai config here; run `aiai init`/);
  writeFiles(dir, { '.aiai/config.json': configJson(minimal) });
  assert.equal(loadConfig(dir).workspace, dir);
});

test('the CLI exits 2 on a malformed config, printing path:line:column', () => {
  const dir = makeRepo({ '.aiai/config.json': '{\n  "editable": ["agent/**"],\n  "evals": [\n}\n' });
  const result = cli(dir, 'list');
  assert.equal(result.code, 2);
  assert.ok(result.stderr.includes(`${path.join(dir, '.aiai', 'config.json')}:4:1: invalid JSON`), result.stderr);
});

test('the CLI exits 2 on an unknown key and names it', () => {
  const dir = makeRepo({ '.aiai/config.json': configJson({ ...minimal, iterations: 5 }) });
  const result = cli(dir, 'run');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /config\.json:\d+:\d+: unknown key "iterations" in the config/);
});

test('a shared folder outside the workspace is refused, at its place', () => {
  const text = configJson({ ...minimal, shared: ['node_modules', '../x', '/opt/data'] });
  const found = problems(text);
  assert.equal(found.length, 2);
  assert.match(found[0]!, /shared folder "\.\.\/x" must be a folder inside the workspace, given relative to it/);
  assert.match(found[1]!, /shared folder "\/opt\/data" must be a folder inside the workspace/);
});

test('executor: local by default; slurm takes a partition, an absolute shared folder, job options and srun (the default) or sbatch', () => {
  assert.deepEqual(parseConfig(configJson(minimal), FILE, '/ws').executor, { kind: 'local' });
  const slurm = { kind: 'slurm', partition: 'gpu', sharedDir: '/shared/aiai', sbatchArgs: ['--account=lab', '--qos=short'], submit: 'sbatch' };
  assert.deepEqual(parseConfig(configJson({ ...minimal, executor: slurm }), FILE, '/ws').executor, slurm);
  // A batch job runs its script once, however many tasks it holds.
  const tasks = { ...slurm, sbatchArgs: ['--ntasks=4'] };
  assert.deepEqual(parseConfig(configJson({ ...minimal, executor: tasks }), FILE, '/ws').executor, tasks);
  assert.deepEqual(parseConfig(configJson({ ...minimal, executor: { kind: 'slurm', sharedDir: '/shared' } }), FILE, '/ws').executor, { kind: 'slurm', sharedDir: '/shared', sbatchArgs: [], submit: 'srun' });
});

test('executor: each mistake is reported at its own line and column', () => {
  /** Where `needle` starts, or the character after it with `after`. */
  const at = (text: string, needle: string, after = false): string => {
    const line = text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    return `${FILE}:${line}:${text.split('\n')[line - 1]!.indexOf(needle) + 1 + (after ? needle.length : 0)}`;
  };
  const missing = configJson({ ...minimal, executor: { kind: 'slurm', partition: 'debug' } });
  assert.deepEqual(problems(missing), [`${at(missing, '"executor": ', true)}: "executor" is missing the required key "sharedDir"`]);

  const relative = configJson({ ...minimal, executor: { kind: 'slurm', sharedDir: 'shared/aiai' } });
  assert.deepEqual(problems(relative), [`${at(relative, '"shared/aiai"')}: executor.sharedDir must be an absolute path that every compute node sees, not "shared/aiai"`]);

  const own = configJson({ ...minimal, executor: { kind: 'slurm', sharedDir: '/s', sbatchArgs: ['--qos=short', '--time=10', '-J', 'mine'] } });
  assert.deepEqual(problems(own), [
    `${at(own, '"--time=10"')}: executor.sbatchArgs may not set --time: the time limit comes from each eval's timeoutSec`,
    `${at(own, '"-J"')}: executor.sbatchArgs may not set --job-name: aiai names each job aiai-<candidate id>-<eval name>`,
  ]);

  // Several tasks would each run the eval with srun; a batch job runs its script once.
  const tasks = configJson({ ...minimal, executor: { kind: 'slurm', sharedDir: '/s', sbatchArgs: ['--ntasks=4'] } });
  assert.deepEqual(problems(tasks), [
    `${at(tasks, '"--ntasks=4"')}: executor.sbatchArgs may not set --ntasks: with srun every task runs the eval once more; ask for CPUs with --cpus-per-task, or set executor.submit to "sbatch"`,
  ]);

  const local = configJson({ ...minimal, executor: { kind: 'local', partition: 'debug' } });
  assert.deepEqual(problems(local), [`${at(local, '"debug"')}: executor.partition applies only to "kind": "slurm"`]);

  const submit = configJson({ ...minimal, executor: { kind: 'slurm', sharedDir: '/s', submit: 'ssh' } });
  assert.deepEqual(problems(submit), [`${at(submit, '"ssh"')}: "executor.submit" must be one of "srun", "sbatch"`]);

  const kind = configJson({ ...minimal, executor: { kind: 'kubernetes' } });
  assert.deepEqual(problems(kind), [`${at(kind, '"kubernetes"')}: "executor.kind" must be one of "local", "slurm"`]);
});

test('a two-phase eval whose grader or answers a proposal could change is refused where they are written', () => {
  const at = (text: string, needle: string): string => {
    const line = text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    return `${FILE}:${line}:${text.split('\n')[line - 1]!.indexOf(needle) + 1}: `;
  };
  const graded = (e: Record<string, unknown>): string => configJson({ ...minimal, editable: ['agent/**', 'eval/helpers/**'], evals: [{ name: 'train', command: 'node eval/run.js', ...e }] });

  const editableGrader = graded({ grade: 'node ./agent/grade.js --split=train' });
  assert.deepEqual(problems(editableGrader), [
    `${at(editableGrader, '"node ./agent/grade.js')}eval "train": the grade command runs "agent/grade.js", which a proposal may change (editable); a grader must be a file no candidate can edit`,
  ]);
  const pythonModule = graded({ grade: 'python3 -m agent.grade' });
  assert.match(problems(pythonModule)[0]!, /the grade command runs "agent\/grade\.py", "agent\/grade\/__init__\.py", "agent\/grade\/__main__\.py", which a proposal may change/);

  const editableAnswers = graded({ grade: 'node eval/grade.js', answers: ['eval/answers/**', 'eval/helpers/expected.json'] });
  assert.deepEqual(problems(editableAnswers), [
    `${at(editableAnswers, '"eval/helpers/expected.json"')}eval "train": answers "eval/helpers/expected.json" match editable files (eval/helpers/expected.json); a candidate could change what it is graded against`,
  ]);
  const broadAnswers = graded({ grade: 'node eval/grade.js', answers: ['eval/**'] });
  assert.match(problems(broadAnswers)[0]!, /answers "eval\/\*\*" match editable files \(eval\/helpers\/sample\)/);

  const noGrader = graded({ answers: ['eval/answers/**'] });
  const answersLine = noGrader.split('\n').findIndex((l) => l.includes('"answers": [')) + 1;
  assert.deepEqual(problems(noGrader), [`${FILE}:${answersLine}:${noGrader.split('\n')[answersLine - 1]!.indexOf('[') + 1}: eval "train": "answers" are the files only a grader sees, and this eval has no "grade" command`]);

  const fine = parseConfig(graded({ grade: 'node eval/grade.js', answers: ['eval/answers/**'], data: ['eval/data/train.json'] }), FILE, '/ws').evals[0]!;
  assert.deepEqual([fine.grade, fine.answers, fine.data], ['node eval/grade.js', ['eval/answers/**'], ['eval/data/train.json']]);
  assert.deepEqual([parseConfig(configJson(minimal), FILE, '/ws').evals[0]!.answers, parseConfig(configJson(minimal), FILE, '/ws').evals[0]!.data], [[], []]);
});

test('race: only the objective train eval races, on a mean over its cases, run once each; each refusal where it is written', () => {
  /** Where the value after `key` starts. */
  const at = (text: string, key: string): string => {
    const line = text.split('\n').findIndex((l) => l.includes(key)) + 1;
    return `${FILE}:${line}:${text.split('\n')[line - 1]!.indexOf(key) + key.length + 1}: `;
  };
  const racing = (objective: Record<string, unknown>, ...evals: Array<Record<string, unknown>>): string => configJson({ ...minimal, evals, objective });
  assert.equal(parseConfig(racing({ eval: 'train', metric: 'pass_rate' }, { name: 'train', command: 'node s.js', race: true }), FILE, '/ws').evals[0]!.race, true);
  assert.equal(parseConfig(configJson(minimal), FILE, '/ws').evals[0]!.race, false, 'no eval races unless it says so');

  const other = racing({ eval: 'train', metric: 'pass_rate' }, { name: 'train', command: 'node s.js' }, { name: 'smoke', command: 'node t.js', race: true });
  assert.deepEqual(problems(other), [`${at(other, '"race": ')}eval "smoke" races, but the objective is eval "train"'s: a race stops a candidate on the objective, so only the objective's eval races`]);
  const holdout = racing({ eval: 'train', metric: 'pass_rate' }, { name: 'train', command: 'node s.js' }, { name: 'held', command: 'node t.js', holdout: true, race: true });
  assert.match(problems(holdout)[0]!, /eval "held" is a holdout eval, which runs only for a candidate that improved/);
  const mean = racing({ eval: 'train', metric: 'accuracy' }, { name: 'train', command: 'node s.js', race: true, repeats: 3 });
  assert.deepEqual(problems(mean), [
    `${at(mean, '"metric": ')}objective metric "accuracy": eval "train" races, and a race compares the cases one by one, so the objective must be a mean over them (pass_rate or score)`,
    `${at(mean, '"repeats": ')}eval "train" races, which runs each case once: the race's sign test allows for a case's noise itself (a case that passes one run in two turns as often for the candidate as against it); set repeats to 1 or drop race`,
  ]);
});
