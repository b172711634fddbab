import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { toolCall, toolResults } from '../fixtures/messagesServer';
import { needsPytest, ROUTER_PY } from '../fixtures/pytest';
import { scriptedModel } from '../fixtures/scriptedModel';
import { configJson, makeRepo } from '../helpers';

/*
 * One pytest suite, split: its JUnit report's cases divide by a hash of their ids
 * into the train view and the holdout view "tests.holdout". A model proposer, on a
 * loopback Messages API, works through four proposals; no request it is sent holds
 * a holdout case, though the candidates run them all.
 */

needsPytest();
const model = scriptedModel();


/** Twelve tickets by test id, three of each route; the agent gets refunds and passwords right. */
const TICKETS: Record<string, [string, string]> = {
  'refund-1': ['refund the kestrel subscription', 'billing'],
  'refund-2': ['I want a refund', 'billing'],
  'refund-3': ['refund for the obsidian lamp', 'billing'],
  'password-1': ['reset my password', 'account'],
  'password-2': ['password expired', 'account'],
  'password-3': ['marmalade account password lost', 'account'],
  'prize-1': ['win a prize now', 'spam'],
  'prize-2': ['claim your prize', 'spam'],
  'prize-3': ['a prize awaits you', 'spam'],
  'outage-1': ['the quasar cluster is down', 'urgent'],
  'outage-2': ['the site is down', 'urgent'],
  'outage-3': ['the zeppelin outage spreads', 'urgent'],
};

/** The ids the hash of `tests.test_route::test_route[ID]` puts in the holdout (0.3): on every machine, in every run. */
const HOLDOUT = ['refund-1', 'refund-3', 'password-3', 'outage-1', 'outage-3'];

const TESTS_PY = `import pytest
from agent.triage import route

TICKETS = ${JSON.stringify(TICKETS, null, 4)}


@pytest.mark.parametrize("ticket,expected", list(TICKETS.values()), ids=list(TICKETS))
def test_route(ticket, expected):
    assert route(ticket) == expected
`;

const caseId = (ticket: string): string => `tests.test_route::test_route[${ticket}]`;

function workspace(): string {
  return makeRepo({
    'agent/__init__.py': '',
    'agent/triage.py': ROUTER_PY,
    'tests/test_route.py': TESTS_PY,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['tests/**'],
      evals: [{ name: 'tests', command: 'python3 -m pytest -q -p no:cacheprovider --junitxml=$AIAI_REPORT_FILE tests', format: 'junit', split: { holdout: 0.3 }, timeoutSec: 120 }],
      objective: { eval: 'tests', metric: 'pass_rate' },
      proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1 },
      budget: { iterations: 4 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
    '.gitignore': '__pycache__/\n',
  });
}

const edit = (search: string, replace: string) => ['edit_file', { path: 'agent/triage.py', search, replace }] as const;
const DEFAULT = '    return "normal"\n';
/** A candidate whose exit hook empties the report pytest wrote: the train view cannot be read, and its log (pytest's summary) names every failing test. */
const CLOBBERS = 'import atexit, os\natexit.register(lambda: open(os.environ["AIAI_REPORT_FILE"], "w").close())\n\n\ndef route(ticket):\n';

test('a split pytest suite: the views divide the cases, the holdout view runs only for an improvement, and nothing of it reaches the model', async () => {
  const dir = workspace();
  const { run, candidates } = await model.run(dir, [
    // A comment: no better, so the holdout view does not run; run_evals grades the train view only.
    toolCall(...edit(DEFAULT, `    # everything else\n${DEFAULT}`)),
    toolCall('run_evals', {}),
    toolCall('show_failures', {}),
    toolCall('submit_change', { title: 'comment the default route', rationale: 'r' }),
    // Prize offers to spam: better on train, so the holdout view runs.
    toolCall(...edit(DEFAULT, `    if "prize" in text:\n        return "spam"\n${DEFAULT}`)),
    toolCall('submit_change', { title: 'route prize offers to spam', rationale: 'r' }),
    // The report emptied at exit: the train view fails, its log full of holdout tests.
    toolCall(...edit('def route(ticket):\n', CLOBBERS)),
    toolCall('run_evals', {}),
    toolCall('submit_change', { title: 'clean up at exit', rationale: 'r' }),
    // A later proposal reads the attempts, the failed one's among them.
    toolCall(...edit('def route(ticket):\n', '# Routes support tickets.\ndef route(ticket):\n')),
    toolCall('submit_change', { title: 'say what the module does', rationale: 'r' }),
  ]);

  const [train, holdout] = run.baseline!.evals;
  assert.deepEqual([train?.name, train?.holdout, holdout?.name, holdout?.holdout], ['tests', false, 'tests.holdout', true]);
  const ids = (e: typeof train): string[] => e!.cases.map((c) => c.id);
  assert.deepEqual(ids(holdout), HOLDOUT.map(caseId));
  assert.deepEqual(ids(train), Object.keys(TICKETS).filter((t) => !HOLDOUT.includes(t)).map(caseId), 'the train view holds every other case');
  assert.deepEqual({ train: train!.metrics.tests, holdout: holdout!.metrics.tests, passed: train!.metrics.passed! + holdout!.metrics.passed! }, { train: 7, holdout: 5, passed: 6 });
  assert.equal(train!.metrics.pass_rate, 3 / 7, "each view's metrics are of its own cases");
  assert.equal(holdout!.metrics.pass_rate, 3 / 5);

  const [comment, prize, clobber] = candidates;
  assert.deepEqual(candidates.map((c) => c.title), ['comment the default route', 'route prize offers to spam', 'clean up at exit', 'say what the module does']);
  assert.deepEqual(comment!.evaluation!.evals.map((e) => e.name), ['tests'], 'no improvement: the holdout view does not run');
  assert.equal(prize!.status, 'pending', prize!.reason);
  assert.deepEqual(prize!.evaluation!.evals.map((e) => e.name), ['tests', 'tests.holdout'], 'an improvement: the cascade runs the holdout view');
  assert.deepEqual(ids(prize!.evaluation!.evals[1]), HOLDOUT.map(caseId), 'the same holdout cases as the baseline');
  assert.equal(prize!.objective?.value, 6 / 7);

  assert.equal(clobber!.status, 'failed');
  const clobbered = clobber!.evaluation!.evals[0]!;
  assert.match(clobbered.reason!, /^the JUnit report is empty \(the command exited with code 1\)$/);
  assert.match(clobbered.logTail, /FAILED tests\/test_route\.py::test_route\[outage-1\]/, "the person's record keeps the log, which names holdout tests");

  const logs = readdirSync(path.join(dir, '.aiai', 'runs', run.id, 'logs'));
  assert.ok(logs.some((f) => /-draft-\d+-tests\.log$/.test(f)), logs.join(', '));
  assert.ok(!logs.some((f) => /-draft-\d+-tests\.holdout/.test(f)), `a draft never runs the holdout view: ${logs.join(', ')}`);

  const proposals = model.server.proposalRequests();
  const results = (i: number): string => JSON.stringify(toolResults(proposals[i]!));
  assert.match(results(3), /test_route\[prize-1\]/, "show_failures shows the train view's failing tests");
  assert.match(results(8), /The draft failed: tests: the JUnit report is empty/, 'run_evals says why the draft failed');
  assert.match(JSON.stringify(proposals.at(-1)), /clean up at exit/, 'the last proposal reads the earlier attempts');
  const sent = model.server.requests.map((r) => r.raw);
  assert.ok(model.server.messageRequests().some((r) => !r.tools?.length), 'the lessons were written, and are among the requests checked');
  for (const ticket of HOLDOUT) {
    const [text] = TICKETS[ticket]!;
    assert.ok(!sent.some((raw) => raw.includes(`[${ticket}]`) || raw.includes(text)), `holdout case ${ticket} ("${text}") reached the model`);
  }
});
