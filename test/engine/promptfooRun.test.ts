import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { ensurePromptfoo } from '../../scripts/eval-tools.mjs';
import { inHoldout } from '../../src/core/grade/caseSplit';
import { cliModel } from '../fixtures/cliRun';
import { toolCall, toolResults } from '../fixtures/messagesServer';
import { cliWithEnv, git, makeRepo } from '../helpers';

/*
 * The acceptance of `aiai init` for a promptfoo suite: a repository with only a
 * prompt file, the script that stands for its model, and a promptfooconfig.yaml;
 * `aiai init`, then `aiai run`, and candidates are graded case by case by a real
 * promptfoo (installed once into .cache/ by scripts/eval-tools.mjs), with each
 * failing assertion's evidence, and no file written by hand. The provider is a local
 * script, so no evaluation needs the network.
 */

const model = cliModel();
/** What a person has who installed promptfoo globally: its bin on PATH, and no node_modules here. */
let withPromptfoo: NodeJS.ProcessEnv;
before(() => {
  // The evals run in the sandbox, as on a person's machine: no network, a read-only home folder.
  ensureDebianPackages(['bubblewrap']);
  // The provider runs python3 once a case: straight, not through a version manager's shim
  // (pyenv's costs half a second a call on these machines), though the same interpreter.
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  withPromptfoo = { PATH: [path.dirname(ensurePromptfoo()), path.dirname(python), process.env.PATH].join(path.delimiter) };
});

const PROMPT = `Route this support ticket to one team: billing, account or normal.
Answer with the team's name alone.

Ticket: {{ticket}}
`;

/** The "model": deterministic and offline, it routes a ticket by its words, but only to a team the prompt names. */
const MODEL = `import re
import sys

WORDS = {
    "billing": ("refund", "invoice"),
    "account": ("password", "login"),
    "spam": ("prize", "lottery"),
    "urgent": ("down", "crash"),
}

prompt = sys.argv[1]
teams = re.search(r"one team: (.*)\\.", prompt)
named = set(re.findall(r"\\w+", teams.group(1))) if teams else set()
ticket = prompt.rsplit("Ticket:", 1)[-1].lower()
print(next((team for team, words in WORDS.items() if team in named and any(w in ticket for w in words)), "normal"))
`;

/** Ten tests; the prompt names no team for the four about spam and outages. */
const CASES: Array<[name: string, ticket: string, team: string]> = [
  ['refund', 'I want a refund', 'billing'],
  ['invoice', 'my invoice is wrong', 'billing'],
  ['password', 'reset my password', 'account'],
  ['login', 'cannot login', 'account'],
  ['greeting', 'hello there', 'normal'],
  ['thanks', 'thanks a lot', 'normal'],
  ['prize', 'win a prize now', 'spam'],
  ['lottery', 'you won the lottery', 'spam'],
  ['outage', 'the site is down', 'urgent'],
  ['crash', 'the app crashes on start', 'urgent'],
];
const id = ([name, , team]: (typeof CASES)[number]): string => `${name} goes to ${team}`;

const CONFIG = `description: Ticket triage
prompts:
  - file://prompts/triage.txt
providers:
  - "exec: python3 agent/model.py"
tests:
${CASES.map((c) => `  - description: ${id(c)}\n    vars:\n      ticket: ${c[1]}\n    assert:\n      - type: equals\n        value: ${c[2]}\n        metric: routing\n`).join('')}`;

test('a repository with only a promptfoo suite: `aiai init && aiai run` grades candidates case by case, with evidence, and nothing written by hand', async () => {
  const dir = makeRepo({ 'prompts/triage.txt': PROMPT, 'agent/model.py': MODEL, 'promptfooconfig.yaml': CONFIG });

  const init = cliWithEnv(withPromptfoo, dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^eval command guessed from a promptfoo config \(promptfooconfig\.yaml; prompts prompts\/triage\.txt\): PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CONFIG_DIR=\$TMPDIR\/promptfoo promptfoo eval -c promptfooconfig\.yaml -o \$AIAI_REPORT_FILE --no-cache --no-progress-bar$/m);
  assert.match(init.stdout, /^ {2}editable: agent\/\*\*, prompts\/\*\* \(promptfoo names prompts\/triage\.txt\); protected: promptfooconfig\.yaml$/m);
  assert.match(init.stdout, /^ {2}promptfoo: runs the promptfoo on PATH \(.+\/promptfoo\), as there is no node_modules\/\.bin\/promptfoo here; keep it on PATH for `aiai run`$/m);

  const nameAllTeams = PROMPT.replace('billing, account or normal', 'billing, account, spam, urgent or normal');
  const summary = await model.run(
    dir,
    2,
    [
      toolCall('show_failures', {}),
      toolCall('edit_file', { path: 'prompts/triage.txt', search: PROMPT, replace: nameAllTeams }),
      toolCall('submit_change', { title: 'name spam and urgent', rationale: 'the failing cases want teams the prompt does not name' }),
      // The second candidate drops billing: its record says which cases it newly fails.
      toolCall('edit_file', { path: 'prompts/triage.txt', search: 'billing, ', replace: '' }),
      toolCall('submit_change', { title: 'drop billing', rationale: 'shorter' }),
    ],
    withPromptfoo,
  );

  // The baseline: promptfoo's results read case by case, the train view of the split graded.
  const [train] = summary.run.baseline.evals;
  assert.equal(train!.name, 'promptfoo');
  assert.equal(train!.status, 'passed', `${train!.reason}\n${train!.logTail}`);
  assert.equal(train!.exitCode, 100, 'promptfoo exits 100, as four cases fail, and the eval is graded all the same');
  const ids = CASES.map(id);
  const trainIds = ids.filter((i) => !inHoldout(i, 0.3));
  assert.deepEqual(train!.cases.map((c) => c.id), trainIds);
  const failing = train!.cases.filter((c) => !c.passed);
  assert.deepEqual(failing.map((c) => c.id), trainIds.filter((i) => /spam|urgent/.test(i)));
  assert.ok(failing.length > 0 && trainIds.includes('invoice goes to billing'), 'some failing cases and the one the second candidate breaks are train cases');
  for (const c of failing) {
    const [, ticket, team] = CASES.find((k) => id(k) === c.id)!;
    assert.deepEqual(JSON.parse(c.input!), { ticket }, "the case's variables as its input");
    assert.equal(c.output, 'normal', "the model's answer as its output");
    assert.match(c.feedback!, new RegExp(`^Expected output "normal" to equal "${team}"`), "the failing assertion's reason as feedback");
  }
  const passed = train!.cases.length - failing.length;
  assert.equal(train!.metrics.pass_rate, passed / train!.cases.length);
  assert.equal(train!.metrics.score, passed / train!.cases.length);
  assert.equal(train!.metrics['score.routing'], passed / train!.cases.length, "the assertions' named metric");

  // What the model was shown: the failing train cases with promptfoo's evidence, and nothing of the holdout's.
  const [shown] = toolResults(model.server.proposalRequests()[1]!);
  for (const c of failing) assert.ok(shown!.content.includes(c.id), `the model is shown ${c.id}`);
  assert.match(shown!.content, /Expected output "normal" to equal "spam"/);
  const sent = model.server.requests.map((r) => r.raw).join('\n');
  for (const c of CASES.filter((k) => inHoldout(id(k), 0.3))) {
    assert.ok(!sent.includes(id(c)) && !sent.includes(c[1]), `no request names the held-out case ${id(c)} or its ticket`);
  }

  assert.deepEqual(summary.candidates.map((c) => c.title), ['name spam and urgent', 'drop billing']);
  const [fixed, broken] = model.show(dir, summary);
  assert.equal(fixed!.status, 'pending');
  assert.deepEqual(fixed!.cases.promptfoo!.newlyPassing, failing.map((c) => c.id), 'each train case it fixed, by id');
  assert.deepEqual(fixed!.cases.promptfoo!.newlyFailing, []);
  const fixedTrain = fixed!.evaluation.evals.find((e) => e.name === 'promptfoo')!;
  assert.deepEqual([fixedTrain.metrics.pass_rate, fixedTrain.metrics.score], [1, 1]);
  const holdout = fixed!.evaluation.evals.find((e) => e.name === 'promptfoo.holdout');
  assert.ok(holdout, 'an improving candidate is graded on the held-out cases too');
  assert.deepEqual(holdout.cases.map((c) => c.id), ids.filter((i) => inHoldout(i, 0.3)));
  assert.ok(holdout.cases.every((c) => c.passed), 'the held-out outage is routed too');

  assert.notEqual(broken!.status, 'pending');
  assert.deepEqual(broken!.cases.promptfoo!.newlyFailing, ['invoice goes to billing']);
  const invoice = broken!.evaluation.evals.find((e) => e.name === 'promptfoo')!.cases.find((c) => c.id === 'invoice goes to billing')!;
  assert.equal(invoice.passed, false);
  assert.deepEqual(JSON.parse(invoice.input!), { ticket: 'my invoice is wrong' });
  assert.equal(invoice.output, 'normal');
  assert.match(invoice.feedback!, /^Expected output "normal" to equal "billing"/);
  assert.equal(git(dir, 'status', '--porcelain'), '?? .aiai/', 'no file of the project was written, by hand or otherwise; only .aiai/');
});
