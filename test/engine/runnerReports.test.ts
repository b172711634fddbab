import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { findTestSuites, type SuiteKind } from '../../src/core/config/testSuites';
import { readReport } from '../../src/core/grade/reportFormat';
import { needsPytest } from '../fixtures/pytest';
import { ROOT, tempDir, writeFiles } from '../helpers';

/*
 * The JUnit XML that real pytest, vitest and jest write, for a small ticket router
 * of our own whose suite has five tests, two of them failing: aiai reads from each
 * report the cases the runner itself counted, each passing or failing as the runner
 * says, with the failure's message. Each runs the command `aiai init` writes for it
 * (with the runner's own per-test listing added, to count by), with the runners of
 * the project's own (python3's pytest, and node_modules/.bin), so no network is needed.
 */

needsPytest();

/** The suite: a ticket, the team it should go to, and the test's name. The router gets the last two wrong. */
const CASES: Array<[name: string, ticket: string, team: string]> = [
  ['sends refunds to billing', 'I want a refund', 'billing'],
  ['sends password resets to account', 'reset my password', 'account'],
  ['leaves small talk normal', 'hello there', 'normal'],
  ['flags prizes as spam', 'win a prize now', 'spam'],
  ['escalates outages as urgent', 'the site is down', 'urgent'],
];
const FAILING = ['flags prizes as spam', 'escalates outages as urgent'];

const ROUTER_JS = `(ticket) => {
  const text = ticket.toLowerCase();
  if (text.includes('refund')) return 'billing';
  if (text.includes('password')) return 'account';
  return 'normal';
}`;

/** A test per case, in JavaScript, with the runner's globals (test, expect). */
const jsTests = (importLine: string): string =>
  `${importLine}\n${CASES.map(([name, ticket, team]) => `test(${JSON.stringify(name)}, () => {\n  expect(route(${JSON.stringify(ticket)})).toBe(${JSON.stringify(team)});\n});`).join('\n\n')}\n`;

const slug = (name: string): string => name.replace(/\W+/g, '_');

/** jest's outcome per test, as its --json counts it. */
interface RunnerJson {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }>;
}

/**
 * Runs in `dir` the command init writes for its suite of `kind`, followed by `more`
 * arguments, as an eval runs it (through sh, the report named by $AIAI_REPORT_FILE);
 * it exits 1, as two tests fail. Returns what it printed.
 */
function runAsInit(dir: string, kind: SuiteKind, more: string): string {
  const suite = findTestSuites(dir).find((s) => s.kind === kind);
  assert.ok(suite, `init finds the ${kind} suite`);
  assert.deepEqual(suite.notes, [], 'the runner and its reporter are installed');
  const run = spawnSync('/bin/sh', ['-c', `${suite.command} ${more}`], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, AIAI_REPORT_FILE: path.join(dir, 'report.xml'), CI: 'true', NO_COLOR: '1' },
    timeout: 120_000,
  });
  assert.equal(run.status, 1, `${kind} exits 1 when a test fails:\n${run.stdout}\n${run.stderr}`);
  return `${run.stdout}\n${run.stderr}`;
}

/** The JUnit report read as aiai reads an eval's report. */
function readJunit(file: string) {
  const read = readReport('junit', readFileSync(file, 'utf8'), '', []);
  assert.ok(read.ok, !read.ok ? read.reason : '');
  return read;
}

/** A folder for one runner's project, with the project's node_modules linked in as init's "shared" links it. */
function project(files: Record<string, string>): string {
  const dir = tempDir('aiai-runner-');
  writeFiles(dir, files);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

test('pytest: its JUnit report holds the tests pytest counted, the same two failing, with their assertion', () => {
  const dir = tempDir('aiai-runner-');
  writeFiles(dir, {
    'agent/__init__.py': '',
    'agent/router.py': 'def route(ticket):\n    text = ticket.lower()\n    if "refund" in text:\n        return "billing"\n    if "password" in text:\n        return "account"\n    return "normal"\n',
    'tests/test_router.py': `from agent.router import route\n${CASES.map(([name, ticket, team]) => `\n\ndef test_${slug(name)}():\n    assert route(${JSON.stringify(ticket)}) == ${JSON.stringify(team)}`).join('')}\n`,
  });
  const output = runAsInit(dir, 'pytest', '-rA -p no:cacheprovider');
  // -rA: pytest's own verdict on each test, one line each ("PASSED tests/test_router.py::test_x").
  const counted = [...output.matchAll(/^(PASSED|FAILED) tests\/test_router\.py::(\w+)/gm)].map((m) => [`tests.test_router::${m[2]}`, m[1] === 'PASSED']);
  assert.match(output, /^2 failed, 3 passed in /m);
  const report = readJunit(path.join(dir, 'report.xml'));
  assert.deepEqual(report.cases.map((c) => [c.id, c.passed]), counted);
  assert.equal(counted.length, 5);
  assert.deepEqual({ passed: report.metrics.passed, failed: report.metrics.failed, tests: report.metrics.tests }, { passed: 3, failed: 2, tests: 5 });
  const spam = report.cases.find((c) => c.id.endsWith('::test_flags_prizes_as_spam'))!;
  assert.match(spam.feedback!, /AssertionError: assert 'normal' == 'spam'/);
  assert.match(spam.output!, /assert route\("win a prize now"\) == "spam"/, "pytest's traceback");
});

test("vitest: its junit reporter's report holds the tests its verbose reporter lists, failing where it says, with expect's message", () => {
  const dir = project({
    'package.json': JSON.stringify({ name: 'router', private: true, devDependencies: { vitest: '*' } }),
    'router.mjs': `export const route = ${ROUTER_JS};\n`,
    'router.test.mjs': jsTests("import { expect, test } from 'vitest';\nimport { route } from './router.mjs';"),
  });
  // The verbose reporter lists each test on the console, "✓ file > name" or "× file > name", while junit writes the report.
  const output = runAsInit(dir, 'vitest', '--reporter=verbose');
  const counted = [...output.matchAll(/^ *([✓×]) (router\.test\.mjs) > (.+?)(?: \d+ms)?$/gm)].map((m) => [`${m[2]}::${m[3]}`, m[1] === '✓']);
  assert.match(output, /Tests +2 failed \| 3 passed \(5\)/);
  const report = readJunit(path.join(dir, 'report.xml'));
  assert.deepEqual(report.cases.map((c) => [c.id, c.passed]), counted);
  assert.deepEqual(report.cases.filter((c) => !c.passed).map((c) => c.id), FAILING.map((name) => `router.test.mjs::${name}`));
  assert.equal(report.cases.find((c) => c.id.endsWith('::flags prizes as spam'))!.feedback, "AssertionError: expected 'normal' to be 'spam' // Object.is equality");
});

test("jest: jest-junit's report holds the tests jest's --json counted, failing where it says, with the expected and received values", () => {
  const dir = project({
    'package.json': JSON.stringify({ name: 'router', private: true, devDependencies: { jest: '*', 'jest-junit': '*' } }),
    'router.js': `exports.route = ${ROUTER_JS};\n`,
    'router.test.js': jsTests("const { route } = require('./router.js');"),
  });
  // jest's --json writes its own count of each test, beside jest-junit's report.
  runAsInit(dir, 'jest', '--json --outputFile=counted.json');
  const counted = JSON.parse(readFileSync(path.join(dir, 'counted.json'), 'utf8')) as RunnerJson;
  assert.deepEqual([counted.numPassedTests, counted.numFailedTests], [3, 2]);
  const report = readJunit(path.join(dir, 'report.xml'));
  // jest-junit names a test "{describe blocks} {title}": with no describe block, a space and the title, which aiai trims.
  assert.deepEqual(
    report.cases.map((c) => [c.id, c.passed]),
    counted.testResults.flatMap((r) => r.assertionResults).map((a) => [`router.test.js::${a.title}`, a.status === 'passed']),
  );
  const spam = report.cases.find((c) => c.id.endsWith('flags prizes as spam'))!;
  assert.match(spam.output!, /Expected: "spam"\s+Received: "normal"/);
});
