import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { A_DIAGNOSIS, textOnly, toolCall, toolResults, toolUse } from '../fixtures/messagesServer';
import { scriptedModel } from '../fixtures/scriptedModel';
import { cli } from '../helpers';

/*
 * A model reasons before it edits: propose_change and submit_change require a
 * diagnosis, which the candidate keeps and `aiai show` prints beside what happened.
 * Through the real SDK against a scripted Messages API on loopback.
 */

const model = scriptedModel();
const { run, workspace } = model;

const setX = toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' });

test('submit_change without a diagnosis is refused with the fields it needs; with one, the candidate keeps it and aiai show prints it beside what happened', async () => {
  const dir = workspace();
  const summary = await run(dir, [setX, toolCall('submit_change', { title: 'x to 5', rationale: 'r', diagnosis: undefined }), toolCall('submit_change', { title: 'x to 5', rationale: 'r' })]);
  const [candidate] = summary.candidates;
  assert.equal(candidate?.status, 'pending', candidate?.reason);
  const refused = toolResults(model.server.proposalRequests().at(-1)!)[1]!;
  assert.equal(refused.is_error, true);
  assert.match(refused.content, /^submit_change needs a diagnosis with failurePattern, rootCause, hypothesis, expectedEffect/);
  const tool = model.server.proposalRequests()[0]!.tools!.find((t) => t.name === 'submit_change')!;
  assert.deepEqual((tool.input_schema as { required: string[] }).required, ['diagnosis', 'title', 'rationale']);
  assert.deepEqual(candidate.diagnosis, A_DIAGNOSIS);

  const shown = cli(dir, 'show', candidate.id).stdout;
  assert.match(shown, /^why the model expects this to help$/m);
  assert.match(shown, /^ {2}failure pattern +cases 2 to 6 fail: their x is below their index$/m);
  assert.match(shown, /^ {2}expected effect +score up by about 0\.1 per step of x$/m);
  assert.match(shown, /^ {2}what happened +score 0\.2 → 0\.5 \(\+0\.3 vs parent\); pending$/m);
});

test('propose_change without a diagnosis gets a corrective turn that names it; a blank field is refused too', async () => {
  const dir = workspace({ mode: 'single' });
  const edits = [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }];
  const blank = { ...A_DIAGNOSIS, rootCause: '   ' };
  const summary = await run(dir, [toolUse({ title: 'x to 5', rationale: 'r', edits, diagnosis: undefined }), toolUse({ title: 'x to 5', rationale: 'r', edits, diagnosis: blank })]);
  assert.equal(summary.candidates[0]?.status, 'failed', 'a blank field is no diagnosis: the second miss fails the candidate');
  assert.match(JSON.stringify(model.server.proposalRequests()[1]!.messages.at(-1)), /must have required property 'diagnosis'/);
  assert.match(summary.candidates[0]!.reason ?? '', /the propose_change diagnosis needs failurePattern, rootCause, hypothesis, expectedEffect/);
});

test('propose_change with a diagnosis after a corrective turn keeps it', async () => {
  const dir = workspace({ mode: 'single' });
  const edits = [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }];
  const summary = await run(dir, [toolUse({ title: 'x to 5', rationale: 'r', edits, diagnosis: undefined }), toolUse({ title: 'x to 5', rationale: 'r', edits })]);
  const [candidate] = summary.candidates;
  assert.equal(candidate?.status, 'pending', candidate?.reason);
  const requests = model.server.proposalRequests();
  assert.equal(requests.length, 2);
  assert.match(JSON.stringify(requests[1]!.messages.at(-1)), /must have required property 'diagnosis'/);
  assert.deepEqual(candidate.diagnosis, A_DIAGNOSIS);
});

test("later proposals and the lessons writer read what each attempt expected beside what it measured", async () => {
  const dir = agentWorkspace({ config: { proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1, mode: 'single' }, budget: { iterations: 2 } } });
  const first = toolUse({ title: 'x to 5', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }] });
  const second = toolUse({ title: 'a note', rationale: 'r', edits: [{ path: 'agent/note.md', search: '', replace: 'note\n' }] });
  await run(dir, [first, second, textOnly('## What worked\n- x to 5')]);
  const requests = model.server.messageRequests();
  assert.equal(requests.length, 3, 'two proposals and the lessons');
  const expected = /- \[improved, awaiting review\] \S+ \\"x to 5\\", built on version [0-9a-f]{8} → 0\.5 \(\+0\.3\); hypothesis: raise x; expected: score up by about 0\.1 per step of x/;
  assert.match(JSON.stringify(requests[1]!.messages), expected, 'the second proposal reads it');
  const lessons = requests[2]!;
  assert.match(JSON.stringify(lessons.messages), expected);
  assert.match(JSON.stringify(lessons.system).replace(/\\n/g, ' '), /set that beside what it measured/);
});
