import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/core/config/config';
import { ConfigError } from '../../src/core/common/errors';
import type { EvalOutcome } from '../../src/core/grade/evaluation';
import { runLoop } from '../../src/core/loop/loop';
import { proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { needsPytest, ROUTER_PY } from '../fixtures/pytest';
import { configJson, makeRepo } from '../helpers';

/*
 * Evals as people already write them: a real pytest suite read through its JUnit
 * report, a runner that writes its report where it likes, and a promptfoo results
 * file. A test runner's exit code says a test failed, which fails no eval; only a
 * report that is missing, malformed or too large does, saying which.
 */

needsPytest();

type Step = ConstructorParameters<typeof ScriptedProposer>[0][number];

/** A proposal that replaces agent/mode.json, which the evals below read, with `mode`. */
const setMode =
  (title: string, mode: Record<string, unknown>): Step =>
  async (request) =>
    proposal(title, [{ path: 'agent/mode.json', search: (await request.readFile(request.parent.commit, 'agent/mode.json'))!, replace: `${JSON.stringify(mode)}\n` }]);

async function run(dir: string, steps: Step[] = []) {
  const proposer = new ScriptedProposer(steps);
  const summary = await runLoop(dir, { proposer, iterations: Math.max(1, steps.length), signal: new AbortController().signal });
  return { ...summary, proposer };
}

const only = (evals: EvalOutcome[] | undefined): EvalOutcome => {
  assert.equal(evals?.length, 1);
  return evals[0]!;
};


const TESTS_PY = `import pytest
from agent.triage import route


def test_refund():
    assert route("I want a refund") == "billing"


def test_password():
    assert route("reset my password") == "account"


def test_spam():
    assert route("win a prize now") == "spam", "a prize offer is spam"


def test_urgent():
    print("routing an outage")
    assert route("the site is down") == "urgent"


@pytest.mark.skip(reason="not routed yet")
def test_legal():
    assert route("subpoena") == "legal"
`;

function pytestWorkspace(): string {
  return makeRepo({
    'agent/__init__.py': '',
    'agent/triage.py': ROUTER_PY,
    'tests/test_triage.py': TESTS_PY,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['tests/**'],
      evals: [{ name: 'tests', command: 'python3 -m pytest -q -p no:cacheprovider --junitxml=$AIAI_REPORT_FILE tests', format: 'junit', timeoutSec: 120 }],
      objective: { eval: 'tests', metric: 'pass_rate' },
      budget: { iterations: 1 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
    '.gitignore': '__pycache__/\n',
  });
}

test('a pytest suite graded through its JUnit report: a case per test with its failure, pass_rate, and a fix that shows one test newly passing', async () => {
  const fixSpam = async (request: Parameters<Step>[0]) => {
    const current = (await request.readFile(request.parent.commit, 'agent/triage.py'))!;
    return proposal('route prize offers to spam', [{ path: 'agent/triage.py', search: current, replace: current.replace('    return "normal"', '    if "prize" in text:\n        return "spam"\n    return "normal"') }]);
  };
  const { run: record, candidates, proposer } = await run(pytestWorkspace(), [fixSpam]);
  const tests = only(record.baseline?.evals);
  assert.equal(tests.status, 'passed', tests.reason);
  assert.equal(tests.exitCode, 1, 'pytest exits 1 when a test fails, and the eval is graded all the same');
  assert.deepEqual({ ...tests.metrics, duration_s: 0 }, { pass_rate: 0.5, passed: 2, failed: 2, errors: 0, skipped: 1, tests: 5, duration_s: 0 });
  assert.ok(tests.metrics.duration_s! > 0, 'the time pytest reports');
  assert.deepEqual(tests.cases.map((c) => [c.id, c.passed]), [
    ['tests.test_triage::test_refund', true],
    ['tests.test_triage::test_password', true],
    ['tests.test_triage::test_spam', false],
    ['tests.test_triage::test_urgent', false],
  ]);
  const spam = tests.cases.find((c) => c.id.endsWith('::test_spam'))!;
  assert.match(spam.feedback!, /AssertionError: a prize offer is spam/);
  assert.match(spam.output!, /assert route\("win a prize now"\) == "spam"/, "pytest's traceback");
  assert.match(tests.cases.find((c) => c.id.endsWith('::test_urgent'))!.output!, /routing an outage/, 'what the test printed');

  const seen = proposer.requests[0]!.parent;
  assert.deepEqual(seen.failures.map((f) => f.id), ['tests.test_triage::test_spam', 'tests.test_triage::test_urgent'], 'the proposer is shown the failing tests');
  assert.match(seen.failures[0]!.feedback!, /a prize offer is spam/);

  const [fixed] = candidates;
  assert.equal(fixed!.status, 'pending', fixed!.reason);
  assert.deepEqual(fixed!.cases.tests, { newlyPassing: ['tests.test_triage::test_spam'], newlyFailing: [] });
  assert.equal(fixed!.objective?.value, 0.75);
});

/**
 * A runner of the workspace's own that writes JUnit XML (as vitest does with
 * --outputFile) to the report path its argument names, or to $AIAI_REPORT_FILE; and,
 * as agent/mode.json says, nothing, half a report, or 65 MB of one. It exits 1 when a
 * test fails, as test runners do.
 */
const JUNIT_JS = `
const fs = require('fs');
const path = require('path');
const { mode, passing } = JSON.parse(fs.readFileSync('agent/mode.json', 'utf8'));
const file = process.argv[2] || process.env.AIAI_REPORT_FILE;
const cases = ['a', 'b', 'c', 'd'].map((name, i) => '<testcase classname="suite" name="' + name + '" time="0.01">' + (i < passing ? '' : '<failure message="' + name + ' is wrong" type="AssertionError">expected right</failure>') + '</testcase>');
const xml = '<?xml version="1.0" encoding="UTF-8"?>\\n<testsuites>\\n<testsuite name="suite" tests="4" time="0.04">\\n' + cases.join('\\n') + '\\n</testsuite>\\n</testsuites>\\n';
if (mode === 'crash') { console.error('the runner crashed before writing its report'); process.exit(2); }
fs.mkdirSync(path.dirname(file), { recursive: true });
if (mode === 'truncated') fs.writeFileSync(file, xml.slice(0, xml.indexOf('<testcase classname="suite" name="c"') + 20));
else if (mode === 'huge') { fs.writeFileSync(file, xml); fs.truncateSync(file, 65 * 1024 * 1024); }
else if (mode === 'link') fs.symlinkSync('/etc/passwd', file);
else if (mode === 'hang') { fs.writeFileSync(file, xml); setInterval(() => {}, 1000); return; }
else if (mode !== 'none') fs.writeFileSync(file, xml);
console.log(passing + ' of 4 passed');
process.exit(passing < 4 ? 1 : 0);
`;

function junitWorkspace(evalSpec: Record<string, unknown>, files: Record<string, string> = {}): string {
  return makeRepo({
    'agent/mode.json': `${JSON.stringify({ mode: 'ok', passing: 2 })}\n`,
    'eval/junit.js': JUNIT_JS,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'tests', format: 'junit', timeoutSec: 60, ...evalSpec }],
      objective: { eval: 'tests', metric: 'pass_rate' },
      budget: { iterations: 1 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
    ...files,
  });
}

test('a report that is missing, truncated or larger than 64 MB fails the candidate, saying which, where it is and how the command exited; a report does not save a run that hangs', async () => {
  const { run: record, candidates } = await run(junitWorkspace({ command: 'node eval/junit.js', timeoutSec: 8 }), [
    setMode('write nothing', { mode: 'none', passing: 3 }),
    setMode('crash', { mode: 'crash', passing: 3 }),
    setMode('stop halfway', { mode: 'truncated', passing: 3 }),
    setMode('write too much', { mode: 'huge', passing: 3 }),
    setMode('report, then hang', { mode: 'hang', passing: 4 }),
  ]);
  const baseline = only(record.baseline?.evals);
  assert.equal(baseline.status, 'passed', baseline.reason);
  assert.equal(baseline.metrics.pass_rate, 0.5);
  const outcomes = candidates.map((c) => only(c.evaluation?.evals));
  assert.deepEqual(candidates.map((c) => c.status), ['failed', 'failed', 'failed', 'failed', 'failed']);
  assert.deepEqual(outcomes.map((o) => o.status), ['unparsable', 'unparsable', 'unparsable', 'unparsable', 'timeout']);
  assert.deepEqual(outcomes[4]!.cases, [], 'the report of an eval killed at its timeout is not graded');
  const [none, crash, truncated, huge] = outcomes.map((o) => o.reason!);
  assert.match(none!, /^no JUnit report was written: the eval's command must write it to \$AIAI_REPORT_FILE .* \(the command exited with code 1\)$/);
  assert.match(crash!, /^no JUnit report was written: .*\(the command exited with code 2\)$/);
  assert.match(crash!, /\$AIAI_REPORT_FILE/);
  assert.match(outcomes[1]!.logTail, /the runner crashed before writing its report/, 'what the runner said is in its log');
  assert.match(truncated!, /^the JUnit report is not well-formed XML \(line \d+, column \d+\): .*\(the command exited with code 1\)$/);
  assert.match(huge!, /^the JUnit report is 65 MB \(68,157,440 bytes\), more than the 64 MB aiai reads; it was not read/);
  assert.match(candidates[3]!.reason!, /^tests: the JUnit report is 65 MB/, "the candidate's reason names the eval and the size");
});

test('a runner that writes its report to a path of its own ("report") is read from there; a report left in the checkout from before, or a link, is never read', async () => {
  const stale = '<testsuite><testcase classname="suite" name="a"/><testcase classname="suite" name="b"/><testcase classname="suite" name="c"/><testcase classname="suite" name="d"/></testsuite>';
  const dir = junitWorkspace({ command: 'node eval/junit.js out/junit.xml', report: 'out/junit.xml' }, { 'out/junit.xml': stale });
  const { run: record, candidates } = await run(dir, [
    setMode('write nothing', { mode: 'none', passing: 4 }),
    setMode('link to a file of the machine', { mode: 'link', passing: 4 }),
  ]);
  const baseline = only(record.baseline?.evals);
  assert.equal(baseline.status, 'passed', baseline.reason);
  assert.deepEqual(baseline.cases.map((c) => [c.id, c.passed]), [['suite::a', true], ['suite::b', true], ['suite::c', false], ['suite::d', false]]);
  assert.equal(baseline.cases[2]!.feedback, 'AssertionError: c is wrong');
  const [none] = candidates;
  assert.equal(none!.status, 'failed');
  assert.match(none!.reason!, /^tests: no JUnit report was written/, 'the committed out/junit.xml, all passing, is not taken for its report');
  const link = only(candidates[1]!.evaluation?.evals);
  assert.equal(link.status, 'unparsable');
  assert.match(link.reason!, /^the JUnit report \(.*\/out\/junit\.xml\) is a symbolic link; aiai reads only a plain file/);
  assert.doesNotMatch(JSON.stringify(candidates[1]), /root:x:0:0/, 'nothing of the file it points to is read');
});

test('a "report" path outside the checkout is refused where it is written, and so is one for an aiai eval', () => {
  const text = configJson({
    editable: ['agent/**'],
    evals: [
      { name: 'up', command: 'x', format: 'junit', report: '../junit.xml' },
      { name: 'abs', command: 'x', format: 'promptfoo', report: '/tmp/results.json' },
      { name: 'plain', command: 'x', report: 'out/metrics.json' },
      { name: 'fine', command: 'x', format: 'junit', report: 'out/junit.xml' },
    ],
    objective: { eval: 'fine', metric: 'pass_rate' },
  });
  let found: string[] = [];
  try {
    parseConfig(text, '/ws/.aiai/config.json', '/ws');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    found = error.message.split('\n');
  }
  const at = (value: string): string => {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes(`"report": "${value}"`));
    return `/ws/.aiai/config.json:${line + 1}:${lines[line]!.indexOf(`"${value}"`) + 1}: `;
  };
  assert.deepEqual(found, [
    `${at('../junit.xml')}eval "up": report "../junit.xml" must be a file inside the eval's checkout, given relative to it (not absolute, no "..", not in .git)`,
    `${at('/tmp/results.json')}eval "abs": report "/tmp/results.json" must be a file inside the eval's checkout, given relative to it (not absolute, no "..", not in .git)`,
    `${at('out/metrics.json')}eval "plain": "report" names where a "junit" or "promptfoo" report is written, and this eval's format is "aiai" (it writes $AIAI_METRICS_FILE); set "format"`,
  ]);
});

/** promptfoo's results file as `promptfoo eval -o` writes it, for a local model the params choose; it exits 100 when a test fails, as promptfoo does. */
const PROMPTFOO_JS = `
const fs = require('fs');
// As promptfoo does, the -o file's extension says what to write.
if (!process.env.AIAI_REPORT_FILE.endsWith('.json')) { console.error('Unsupported output file format'); process.exit(1); }
const { answers } = JSON.parse(fs.readFileSync('agent/mode.json', 'utf8'));
const tests = [['spam is spam', 'win a prize', 'spam'], ['refunds go to billing', 'refund please', 'billing'], ['outages are urgent', 'site down', 'urgent']];
const results = tests.map(([description, ticket, want], i) => {
  const output = answers[i];
  const success = output === want;
  return {
    vars: { ticket }, prompt: { raw: 'Route: ' + ticket, label: 'route.txt' }, provider: { id: 'exec: python3 model.py' },
    response: { output, tokenUsage: { total: 12, prompt: 10, completion: 2 }, cost: 0.0005 },
    success, score: success ? 1 : 0, namedScores: {}, cost: 0.0005,
    gradingResult: { pass: success, score: success ? 1 : 0, reason: success ? 'All assertions passed' : 'Expected output "' + want + '", got "' + output + '"' },
    testCase: { description, vars: { ticket }, assert: [{ type: 'equals', value: want }] },
  };
});
fs.writeFileSync(process.env.AIAI_REPORT_FILE, JSON.stringify({ evalId: 'eval-1', results: { version: 3, results, stats: { successes: results.filter((r) => r.success).length, failures: results.filter((r) => !r.success).length } } }));
process.exit(results.every((r) => r.success) ? 0 : 100);
`;

test('a promptfoo results file: a case per test with its variables, answer, assertion and reason; pass_rate, score, tokens and cost; exit 100 fails nothing', async () => {
  const dir = makeRepo({
    'agent/mode.json': `${JSON.stringify({ answers: ['normal', 'billing', 'normal'] })}\n`,
    'eval/promptfoo.js': PROMPTFOO_JS,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'prompts', command: 'node eval/promptfoo.js', format: 'promptfoo', timeoutSec: 60 }],
      objective: { eval: 'prompts', metric: 'pass_rate' },
      budget: { iterations: 1 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
  });
  const { run: record, candidates } = await run(dir, [
    setMode('answer spam', { answers: ['spam', 'billing', 'normal'] }),
  ]);
  const prompts = only(record.baseline?.evals);
  assert.equal(prompts.status, 'passed', prompts.reason);
  assert.equal(prompts.exitCode, 100);
  assert.deepEqual(prompts.metrics, { pass_rate: 1 / 3, passed: 1, failed: 2, score: 1 / 3, tokens: 36, prompt_tokens: 30, completion_tokens: 6, cost_usd: 0.0015 });
  assert.deepEqual(prompts.cases.map((c) => [c.id, c.passed]), [['spam is spam', false], ['refunds go to billing', true], ['outages are urgent', false]]);
  const spam = prompts.cases[0]!;
  assert.deepEqual({ input: spam.input, output: spam.output, expected: spam.expected, feedback: spam.feedback }, {
    input: '{"ticket":"win a prize"}',
    output: 'normal',
    expected: '[{"type":"equals","value":"spam"}]',
    feedback: 'Expected output "spam", got "normal"',
  });
  const [better] = candidates;
  assert.equal(better!.status, 'pending', better!.reason);
  assert.deepEqual(better!.cases.prompts, { newlyPassing: ['spam is spam'], newlyFailing: [] });
});

test('in a two-phase eval the format is what the grader writes: it gets $AIAI_REPORT_FILE and may exit 1, while the agent gets neither', async () => {
  const dir = makeRepo({
    'agent/mode.json': `${JSON.stringify({ answers: ['spam', 'normal'] })}\n`,
    'agent/run.js': `const fs = require('fs');
console.log('agent sees a report file: ' + ('AIAI_REPORT_FILE' in process.env));
fs.writeFileSync(process.env.AIAI_OUTPUTS_DIR + '/answers.json', fs.readFileSync('agent/mode.json'));\n`,
    'eval/grade.js': `const fs = require('fs');
const { answers } = JSON.parse(fs.readFileSync(process.env.AIAI_OUTPUTS_DIR + '/answers.json', 'utf8'));
const want = ['spam', 'billing'];
const cases = want.map((w, i) => '<testcase classname="grade" name="t' + i + '">' + (answers[i] === w ? '' : '<failure message="expected ' + w + '"/>') + '</testcase>');
fs.writeFileSync(process.env.AIAI_REPORT_FILE, '<testsuite>' + cases.join('') + '</testsuite>');
process.exit(answers.every((a, i) => a === want[i]) ? 0 : 1);\n`,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'graded', command: 'node agent/run.js', grade: 'node eval/grade.js', format: 'junit', timeoutSec: 60 }],
      objective: { eval: 'graded', metric: 'pass_rate' },
      budget: { iterations: 1 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
  });
  const { run: record } = await run(dir);
  const graded = only(record.baseline?.evals);
  assert.equal(graded.status, 'passed', graded.reason);
  assert.equal(graded.graded?.exitCode, 1);
  assert.deepEqual(graded.cases.map((c) => [c.id, c.passed, c.feedback]), [['grade::t0', true, undefined], ['grade::t1', false, 'expected billing']]);
  assert.match(graded.logTail, /agent sees a report file: false/);
});
