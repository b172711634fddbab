import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutAtMaxTokens, textOnly, toolCall, toolUse, type MessagesRequest } from '../fixtures/messagesServer';
import { scriptedModel } from '../fixtures/scriptedModel';

/*
 * What every request to the model carries, whatever the model answered, in both
 * modes: through the real SDK against a scripted Messages API on loopback.
 */

const model = scriptedModel();
const { run, workspace } = model;

/** The API refuses a request with more than four cache breakpoints, and that stops the run. */
function assertBreakpointsWithinFour(requests: MessagesRequest[]): void {
  for (const [i, request] of requests.entries()) {
    const marks = (JSON.stringify(request).match(/"cache_control"/g) ?? []).length;
    assert.ok(marks <= 4, `request ${i + 1} carries ${marks} cache_control blocks`);
  }
}

const edit = toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' });
const submit = toolCall('submit_change', { title: 'x to 5', rationale: 'r' });
const proposeX5 = toolUse({ title: 'x to 5', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }] });

test('agent mode: after a text-only reply and after a reply cut at max_tokens, every request carries at most four cache_control blocks', async () => {
  const summary = await run(workspace({ maxOutputTokens: 512 }), [
    toolCall('list_files', {}),
    textOnly('Let me think about this first.'),
    toolCall('read_file', { path: 'agent/params.json' }),
    cutAtMaxTokens('The failing cases all share'),
    edit,
    submit,
  ]);
  assert.equal(summary.candidates[0]?.status, 'pending', summary.candidates[0]?.reason);
  const requests = model.server.proposalRequests();
  assert.equal(requests.length, 6);
  assertBreakpointsWithinFour(requests);
  assert.match(JSON.stringify(requests[4]!.messages.at(-1)), /Your reply was cut at 512 tokens \(proposer\.maxOutputTokens\)/, 'the model is told why its reply ended');
});

test('single mode: after a text-only reply and after a reply cut at max_tokens, every request carries at most four cache_control blocks', async () => {
  const single = () => workspace({ mode: 'single', maxOutputTokens: 512 });
  await run(single(), [textOnly('I would raise x.'), proposeX5]);
  assertBreakpointsWithinFour(model.server.proposalRequests());
  const summary = await run(single(), [cutAtMaxTokens('{"title": "x to'), proposeX5]);
  assert.equal(summary.candidates[0]?.status, 'pending', summary.candidates[0]?.reason);
  const requests = model.server.proposalRequests();
  assertBreakpointsWithinFour(requests);
  assert.match(JSON.stringify(requests[1]!.messages.at(-1)), /the reply did not call propose_change \(the reply was cut at 512 tokens, proposer\.maxOutputTokens: answer shorter\)/);
});

test("the SDK's warning of a deprecated model is said once in a run, not at every call", async (t) => {
  const warn = t.mock.method(console, 'warn', () => undefined);
  const summary = await run(workspace({ model: 'claude-sonnet-4-5' }), [toolCall('list_files', {}), edit, submit]);
  assert.equal(summary.candidates[0]?.status, 'pending', summary.candidates[0]?.reason);
  assert.equal(model.server.messageRequests().length, 4, 'three turns and the lessons, all with the deprecated model');
  const deprecations = warn.mock.calls.filter((c) => /The model 'claude-sonnet-4-5' is deprecated/.test(String(c.arguments[0])));
  assert.equal(deprecations.length, 1);
});
