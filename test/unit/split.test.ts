import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/core/config/config';
import { ConfigError } from '../../src/core/common/errors';
import { inHoldout } from '../../src/core/grade/caseSplit';
import type { ParsedMetrics } from '../../src/core/grade/metrics';
import { readReport } from '../../src/core/grade/reportFormat';
import { configJson } from '../helpers';

const FILE = '/ws/.aiai/config.json';

test('a case falls in the holdout by the sha256 of its id alone: the same on every machine, and about the fraction asked of many ids', () => {
  // sha256("suite::a") begins 9510dc3d: 0x9510dc3d / 2^32 = 0.58229.
  assert.deepEqual([inHoldout('suite::a', 0.5823), inHoldout('suite::a', 0.5822)], [true, false]);
  const ids = Array.from({ length: 1000 }, (_, i) => `tests.test_agent::test_case[${i}]`);
  const held = ids.filter((id) => inHoldout(id, 0.3)).length;
  assert.ok(held > 250 && held < 350, `${held} of 1000 held out at 0.3`);
});

const ok = (parsed: ParsedMetrics): Extract<ParsedMetrics, { ok: true }> => {
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed;
};
const TRAIN = { part: 'train', holdout: 0.3 } as const;
const HOLDOUT = { part: 'holdout', holdout: 0.3 } as const;

/** A JUnit report of `n` cases, every third failing, every tenth skipped, each taking 0.01 s. */
function junit(n: number): string {
  const cases = Array.from({ length: n }, (_, i) => `<testcase classname="tests" name="t${i}" time="0.01">${i % 10 === 9 ? '<skipped/>' : i % 3 === 0 ? '<failure message="wrong"/>' : ''}</testcase>`);
  return `<testsuite time="99">${cases.join('')}</testsuite>`;
}

test('the views of a JUnit report divide its cases, and each counts, passes and times its own', () => {
  const all = ok(readReport('junit', junit(1000), '', []));
  const train = ok(readReport('junit', junit(1000), '', [], TRAIN));
  const holdout = ok(readReport('junit', junit(1000), '', [], HOLDOUT));
  const ids = (p: typeof all): string[] => p.cases.map((c) => c.id);
  assert.deepEqual([...ids(train), ...ids(holdout)].sort(), ids(all).sort(), 'together, every graded case');
  assert.equal(ids(train).filter((id) => ids(holdout).includes(id)).length, 0, 'no case in both');
  for (const name of ['passed', 'failed', 'skipped', 'tests'] as const) assert.equal(train.metrics[name]! + holdout.metrics[name]!, all.metrics[name], name);
  assert.equal(train.metrics.pass_rate, train.metrics.passed! / (train.metrics.passed! + train.metrics.failed!));
  assert.equal(all.metrics.duration_s, 99, "the report's own time");
  assert.equal(Math.round(holdout.metrics.duration_s! * 100), holdout.metrics.tests, "a view's time is its cases'");
});

test('the views of a promptfoo results file sum tokens and cost, and average scores, over their own results', () => {
  const results = Array.from({ length: 40 }, (_, i) => ({ success: i % 2 === 0, score: i % 2 === 0 ? 1 : 0.25, cost: 0.01, namedScores: { tone: i / 40 }, response: { output: `answer ${i}`, tokenUsage: { total: 10, prompt: 8, completion: 2 } }, testCase: { description: `test ${i}` } }));
  const text = JSON.stringify({ results: { results } });
  const [train, holdout] = [TRAIN, HOLDOUT].map((view) => ok(readReport('promptfoo', text, '', [], view)));
  assert.equal(train!.cases.length + holdout!.cases.length, 40);
  assert.equal(train!.metrics.tokens! + holdout!.metrics.tokens!, 400);
  const held = holdout!.cases;
  assert.equal(holdout!.metrics.cost_usd!.toFixed(4), (held.length * 0.01).toFixed(4));
  assert.equal(holdout!.metrics.score, held.reduce((a, c) => a + c.score!, 0) / held.length);
  assert.equal(holdout!.metrics['score.tone'], held.reduce((a, c) => a + Number(c.id.slice(5)) / 40, 0) / held.length);
});

test("the views of an aiai metrics file keep their cases and compute their metrics from them, not the file's, which are of every case", () => {
  const cases = Array.from({ length: 30 }, (_, i) => ({ id: `q${i}`, passed: i < 20, score: i < 20 ? 1 : 0.5 }));
  const file = JSON.stringify({ metrics: { accuracy: 0.66 }, cases, feedback: 'q25 and q29 are hard' });
  const holdout = ok(readReport('aiai', file, '', [], HOLDOUT));
  const passed = holdout.cases.filter((c) => c.passed).length;
  assert.deepEqual(holdout.metrics, { pass_rate: passed / holdout.cases.length, passed, failed: holdout.cases.length - passed, score: holdout.cases.reduce((a, c) => a + c.score!, 0) / holdout.cases.length });
  assert.equal(holdout.feedback, undefined, "the file's feedback speaks of every case");
  const noCases = readReport('aiai', undefined, '{"accuracy": 0.5}', [], TRAIN);
  assert.deepEqual(noCases, { ok: false, reason: 'the metrics file reports no cases, and a split divides its cases: write them under "cases"' });
});

test('a view that no case falls in fails the eval, saying why', () => {
  // "suite::a" hashes to 0.58: at 0.3 it is a train case, and the holdout view is empty.
  const one = '<testsuite><testcase classname="suite" name="a"/><testcase classname="suite" name="b"><skipped/></testcase></testsuite>';
  assert.equal(ok(readReport('junit', one, '', [], TRAIN)).cases.length, 1);
  assert.deepEqual(readReport('junit', one, '', [], HOLDOUT), {
    ok: false,
    reason: "none of the report's 1 graded case(s) falls in the holdout view of the split (holdout 0.3 of the cases, by a hash of their ids): the eval needs more cases, or a larger holdout",
  });
});

/** Each problem as the line it is at, with ^ where its column points, and its message. */
function problems(config: Record<string, unknown>): string[] {
  const text = configJson(config);
  try {
    parseConfig(text, FILE, '/ws');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => {
      const line = text.split('\n')[p.line - 1]!;
      return `${line.slice(0, p.column - 1).trim()} ^${line.slice(p.column - 1).trim()} -> ${p.message}`;
    });
  }
  assert.fail('the config was accepted');
}

const tests = { name: 'tests', command: 'pytest --junitxml=$AIAI_REPORT_FILE', format: 'junit' };
const base = { editable: ['agent/**'], objective: { eval: 'tests', metric: 'pass_rate' } };

test('a split eval becomes its train view and a holdout view after every listed eval', () => {
  const config = parseConfig(configJson({ ...base, evals: [{ ...tests, split: { holdout: 0.25 } }, { name: 'lint', command: 'ruff check' }] }), FILE, '/ws');
  assert.deepEqual(config.evals.map((e) => [e.name, e.holdout, e.view, e.command]), [
    ['tests', false, { part: 'train', holdout: 0.25 }, tests.command],
    ['lint', false, undefined, 'ruff check'],
    ['tests.holdout', true, { part: 'holdout', holdout: 0.25 }, tests.command],
  ]);
});

test('a split is refused, where it is written, outside (0, 1), on a gate or a holdout, or when its holdout view takes a name in use', () => {
  assert.deepEqual(problems({ ...base, evals: [{ ...tests, split: { holdout: 1 } }] }), ['"holdout": ^1 -> "evals[0].split.holdout" must be less than 1']);
  assert.deepEqual(problems({ ...base, evals: [{ ...tests, split: { holdout: 0 } }] }), ['"holdout": ^0 -> "evals[0].split.holdout" must be more than 0']);
  assert.deepEqual(problems({ ...base, evals: [tests, { ...tests, name: 'smoke', gate: { metric: 'pass_rate', min: 1 }, split: { holdout: 0.3 } }] }), [
    '"split": ^{ -> eval "smoke" is a gate, which decides on all its cases: split a train eval instead',
  ]);
  assert.deepEqual(problems({ ...base, evals: [tests, { ...tests, name: 'held', holdout: true, split: { holdout: 0.3 } }] }), [
    `"split": ^{ -> eval "held" is a holdout eval: "split" divides a train eval's cases into its train view and a holdout view`,
  ]);
  assert.deepEqual(problems({ ...base, evals: [{ ...tests, split: { holdout: 0.3 } }, { ...tests, name: 'tests.holdout', holdout: true }] }), [
    '"split": ^{ -> eval "tests" is split into "tests" and its holdout view "tests.holdout", and evals[1] is named "tests.holdout" too: rename one',
  ]);
});

test('the objective may name the train view, never the holdout view; a split aiai eval offers the metrics of its cases alone', () => {
  assert.deepEqual(problems({ ...base, objective: { eval: 'tests.holdout', metric: 'pass_rate' }, evals: [{ ...tests, split: { holdout: 0.3 } }] }), [
    '"eval": ^"tests.holdout", -> objective eval "tests.holdout" is a holdout eval; the objective must be an eval the proposer may learn from',
  ]);
  const aiai = { name: 'tests', command: 'node eval/score.js', split: { holdout: 0.3 } };
  assert.deepEqual(problems({ ...base, objective: { eval: 'tests', metric: 'accuracy' }, evals: [aiai] }), [
    `"metric": ^"accuracy" -> objective metric "accuracy": eval "tests" is split, and a view of a split "aiai" eval has the metrics of its own cases (pass_rate, passed, failed, score); the metrics file's are of every case, the holdout's too`,
  ]);
  assert.equal(parseConfig(configJson({ ...base, objective: { eval: 'tests', metric: 'score' }, evals: [aiai] }), FILE, '/ws').evals.length, 2);
});
