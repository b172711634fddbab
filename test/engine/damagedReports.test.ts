import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { runLoop } from '../../src/core/loop/loop';
import { proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { configJson, makeRepo } from '../helpers';

/*
 * A report that real pytest wrote, damaged afterwards by the candidate's own code (it
 * runs in pytest's process, so it can): emptied, replaced by malformed XML, cut in
 * half, or grown past the 64 MB aiai reads. Each fails that candidate's eval with a
 * reason that says which, and loses nothing: the candidate's record keeps its change
 * and pytest's output, the baseline keeps its cases, and the run goes on to grade the
 * next candidate.
 */

before(() => {
  if (spawnSync('python3', ['-c', 'import pytest']).status !== 0) ensureDebianPackages(['python3-pytest']);
});

const ROUTER = 'def route(ticket):\n    text = ticket.lower()\n    if "refund" in text:\n        return "billing"\n    return "normal"\n';

const TESTS = `from agent.router import route


def test_refund():
    assert route("refund please") == "billing"


def test_hello():
    assert route("hello") == "normal"


def test_thanks():
    assert route("thanks a lot") == "normal"


def test_spam():
    assert route("win a prize") == "spam"


def test_urgent():
    assert route("the site is down") == "urgent"
`;

/** The router, with code that runs when pytest's process exits, after pytest wrote its report. */
const damaging = (action: string): string => `${ROUTER}

import atexit
import os


def _damage():
    path = os.environ["AIAI_REPORT_FILE"]
${action
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}


atexit.register(_damage)
`;

const DAMAGES: Array<[title: string, action: string]> = [
  ['empty the report', 'open(path, "w").close()'],
  ['write malformed XML', 'with open(path, "w") as f:\n    f.write("<testsuites><testcase name=\'a\'><failure></testcase></testsuites>")'],
  ['cut the report in half', 'with open(path) as f:\n    text = f.read()\nwith open(path, "w") as f:\n    f.write(text[: len(text) // 2])'],
  ['grow the report past 64 MB', 'os.truncate(path, 65 * 1024 * 1024)'],
];

type Step = ConstructorParameters<typeof ScriptedProposer>[0][number];

const writeRouter =
  (title: string, text: string): Step =>
  async (request) =>
    proposal(title, [{ path: 'agent/router.py', search: (await request.readFile(request.parent.commit, 'agent/router.py'))!, replace: text }]);

test('an empty, malformed, truncated or enormous report fails its candidate saying which, keeps its change and pytest\'s output, and the run grades the next', async () => {
  const dir = makeRepo({
    'agent/__init__.py': '',
    'agent/router.py': ROUTER,
    'tests/test_router.py': TESTS,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['tests/**'],
      evals: [{ name: 'pytest', command: 'python3 -m pytest -q -p no:cacheprovider --junitxml=$AIAI_REPORT_FILE', format: 'junit', timeoutSec: 120 }],
      objective: { eval: 'pytest', metric: 'pass_rate' },
      budget: { iterations: 5, patience: 5 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
    '.gitignore': '__pycache__/\n',
  });
  const fix = ROUTER.replace('    return "normal"', '    if "prize" in text:\n        return "spam"\n    return "normal"');
  const proposer = new ScriptedProposer([...DAMAGES.map(([title, action]) => writeRouter(title, damaging(action))), writeRouter('route prizes to spam', fix)]);
  const { run, candidates } = await runLoop(dir, { proposer, iterations: 5, signal: new AbortController().signal });

  const baseline = run.baseline!.evals[0]!;
  assert.equal(baseline.status, 'passed', baseline.reason);
  assert.deepEqual([baseline.metrics.passed, baseline.metrics.failed], [3, 2]);

  assert.deepEqual(candidates.map((c) => [c.title, c.status]), [...DAMAGES.map(([title]) => [title, 'failed']), ['route prizes to spam', 'pending']]);
  const outcomes = candidates.slice(0, 4).map((c) => c.evaluation!.evals[0]!);
  assert.deepEqual(outcomes.map((o) => o.status), ['unparsable', 'unparsable', 'unparsable', 'unparsable']);
  const [empty, malformed, truncated, enormous] = outcomes.map((o) => o.reason!);
  assert.equal(empty, 'the JUnit report is empty (the command exited with code 1)');
  assert.match(malformed!, /^the JUnit report is not well-formed XML \(line 1, column \d+\): .*\(the command exited with code 1\)$/);
  assert.match(truncated!, /^the JUnit report is not well-formed XML \(line \d+, column \d+\): /);
  assert.match(enormous!, /^the JUnit report is 65 MB \(68,157,440 bytes\), more than the 64 MB aiai reads; it was not read/);
  for (const [i, c] of candidates.slice(0, 4).entries()) {
    assert.match(c.reason!, /^pytest: the JUnit report /, "the candidate's reason names the eval");
    assert.match(outcomes[i]!.logTail, /2 failed, 3 passed/, "pytest's own summary is kept in the candidate's log");
    assert.equal(c.edits[0]!.path, 'agent/router.py', 'the change that damaged the report is kept for review');
    assert.deepEqual(outcomes[i]!.cases, [], 'no case is graded from a report aiai could not read');
  }

  const [fixed] = candidates.slice(4);
  assert.deepEqual(fixed!.cases.pytest, { newlyPassing: ['tests.test_router::test_spam'], newlyFailing: [] }, 'compared with the baseline, whose cases are intact');
  assert.equal(fixed!.objective?.value, 0.8);
});
