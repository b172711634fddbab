import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inHoldout } from '../../src/core/grade/caseSplit';
import { cliModel } from '../fixtures/cliRun';
import { needsPytest } from '../fixtures/pytest';
import { toolCall, toolResults } from '../fixtures/messagesServer';
import { cli, git, makeRepo } from '../helpers';

/*
 * The acceptance of `aiai init` for a test suite: a repository with only an agent
 * module and its pytest suite, `aiai init`, then `aiai run`, and candidates are graded
 * test by test with each failure's evidence, with no file written by hand. A suite
 * has no knobs, so init asks for a model proposer: here the real SDK against a
 * scripted Messages API on loopback.
 */

const model = cliModel();
needsPytest();

const ROUTER = `def route(ticket):
    text = ticket.lower()
    if "refund" in text or "invoice" in text:
        return "billing"
    if "password" in text or "login" in text:
        return "account"
    return "normal"
`;

/** Ten tests; the router gets the four about spam and outages wrong. */
const CASES: Array<[name: string, ticket: string, team: string]> = [
  ['refund', 'I want a refund', 'billing'],
  ['invoice', 'my invoice is wrong', 'billing'],
  ['password', 'reset my password', 'account'],
  ['login', 'cannot login', 'account'],
  ['hello', 'hello there', 'normal'],
  ['thanks', 'thanks a lot', 'normal'],
  ['prize', 'win a prize now', 'spam'],
  ['lottery', 'you won the lottery', 'spam'],
  ['outage', 'the site is down', 'urgent'],
  ['crash', 'the app crashes on start', 'urgent'],
];

const TESTS = `from agent.router import route
${CASES.map(([name, ticket, team]) => `\n\ndef test_${name}():\n    assert route(${JSON.stringify(ticket)}) == ${JSON.stringify(team)}, ${JSON.stringify(`${ticket} goes to ${team}`)}`).join('')}
`;

test('a repository with only a pytest suite: `aiai init && aiai run` grades candidates test by test, with evidence, and nothing written by hand', async () => {
  const dir = makeRepo({ 'agent/__init__.py': '', 'agent/router.py': ROUTER, 'tests/test_router.py': TESTS, '.gitignore': '__pycache__/\n' });

  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^eval command guessed from a pytest suite \(10 tests in tests\/test_router\.py\): python3 -m pytest -q --junitxml=\$AIAI_REPORT_FILE$/m);
  assert.match(init.stdout, /^ {2}editable: agent\/\*\* \(tests\/test_router\.py imports agent\/router\.py\); protected: tests\/\*\*$/m);
  assert.match(init.stdout, /^ {2}objective: pass_rate of "pytest"; each eval holds out 30% of its cases/m);
  // The suite graded twice on the current version gives the same results: no repeats.
  assert.match(init.stdout, /^ {2}repeats: none set on eval "pytest": two runs of the current version agreed \(pass_rate 0\.6, 10 cases\)$/m);

  const fixSpamAndOutages = ROUTER.replace('    return "normal"', '    if "prize" in text or "lottery" in text:\n        return "spam"\n    if "down" in text or "crash" in text:\n        return "urgent"\n    return "normal"');
  const summary = await model.run(dir, 2, [
    toolCall('show_failures', {}),
    toolCall('edit_file', { path: 'agent/router.py', search: ROUTER, replace: fixSpamAndOutages }),
    toolCall('submit_change', { title: 'route spam and outages', rationale: 'the failing tests want spam and urgent' }),
    // The second candidate breaks billing: its record says which tests it newly fails.
    toolCall('edit_file', { path: 'agent/router.py', search: ' or "invoice" in text', replace: '' }),
    toolCall('submit_change', { title: 'drop invoices', rationale: 'simpler' }),
  ]);

  // The baseline: pytest's report read test by test, the train view of the split graded.
  const [train] = summary.run.baseline.evals;
  assert.equal(train!.name, 'pytest');
  assert.equal(train!.status, 'passed', train!.reason);
  assert.equal(train!.exitCode, 1, 'pytest exits 1, as four tests fail, and the eval is graded all the same');
  // The split puts each test in train or holdout by a stable hash of its id.
  const ids = CASES.map(([name]) => `tests.test_router::test_${name}`);
  assert.deepEqual(train!.cases.map((c) => c.id), ids.filter((id) => !inHoldout(id, 0.3)));
  assert.ok(!inHoldout('tests.test_router::test_invoice', 0.3), 'the test the second candidate breaks is a train test');
  const failing = train!.cases.filter((c) => !c.passed);
  assert.deepEqual(failing.map((c) => c.id), ids.filter((id, i) => !inHoldout(id, 0.3) && i >= 6));
  assert.ok(failing.length > 0, 'some failing tests are train tests');
  for (const c of failing) assert.match(c.feedback!, /^AssertionError: .+ goes to (?:spam|urgent)/, 'the assertion message of each failing test');

  // What the model was shown: the failing train tests with pytest's evidence.
  const [shown] = toolResults(model.server.proposalRequests()[1]!);
  for (const c of failing) assert.ok(shown!.content.includes(c.id), `the model is shown ${c.id}`);
  assert.match(shown!.content, /feedback: AssertionError: /);
  const held = ids.filter((id) => inHoldout(id, 0.3));
  const sent = model.server.requests.map((r) => r.raw).join('\n');
  for (const id of held) assert.ok(!sent.includes(id.split('::')[1]!), `no request names the held-out ${id}`);

  assert.deepEqual(summary.candidates.map((c) => c.title), ['route spam and outages', 'drop invoices']);
  const [fixed, broken] = model.show(dir, summary);
  assert.equal(fixed!.status, 'pending');
  assert.deepEqual(fixed!.cases.pytest!.newlyPassing, failing.map((c) => c.id), 'each train test it fixed, by id');
  assert.deepEqual(fixed!.cases.pytest!.newlyFailing, []);
  const holdout = fixed!.evaluation.evals.find((e) => e.name === 'pytest.holdout');
  assert.ok(holdout, 'an improving candidate is graded on the held-out tests too');
  assert.equal(holdout.cases.length + fixed!.evaluation.evals.find((e) => e.name === 'pytest')!.cases.length, CASES.length, 'train and holdout views split the ten tests');

  assert.notEqual(broken!.status, 'pending');
  assert.deepEqual(broken!.cases.pytest!.newlyFailing, ['tests.test_router::test_invoice']);
  const invoice = broken!.evaluation.evals.find((e) => e.name === 'pytest')!.cases.find((c) => c.id === 'tests.test_router::test_invoice')!;
  assert.equal(invoice.passed, false);
  assert.match(invoice.feedback!, /AssertionError: my invoice is wrong goes to billing/);
  assert.match(invoice.output!, /assert route\("my invoice is wrong"\) == "billing"/, "pytest's traceback as the case's output");
  assert.equal(git(dir, 'status', '--porcelain'), '?? .aiai/', 'no file of the project was written, by hand or otherwise; only .aiai/');
});
