import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toolCall, toolResults, toolUse } from '../fixtures/messagesServer';
import { scriptedModel } from '../fixtures/scriptedModel';

/*
 * What the agent's tools answer when a call goes wrong: each answer says what
 * happened and what to do, through the real SDK against a scripted Messages API.
 */

const model = scriptedModel();
const { run, workspace } = model;

/** The tool results of the conversation, without the budget line that ends each. */
function answers(): Array<{ content: string; is_error?: boolean }> {
  return toolResults(model.server.proposalRequests().at(-1)!).map((r) => ({ ...r, content: r.content.replace(/\n\n\[\d+ of \d+ turns left; \d+ of \d+ run_evals left\]$/, '') }));
}

test("a crashed draft eval says so, and show_failures keeps the parent's failing cases", async () => {
  await run(workspace(), [
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 3,\n  "crash": "the agent ran out of patience"' }),
    toolCall('run_evals', {}),
    toolCall('show_failures', {}),
    toolCall('submit_change', { title: 'crash', rationale: 'r' }),
  ]);
  const [, evals, failures] = answers();
  assert.equal(evals?.is_error, true);
  assert.match(evals!.content, /^The draft failed: smoke: the command exited with code 3/);
  assert.match(evals!.content, /\nThe eval stopped before it reported any case: this is not 0 failures, and show_failures still shows the parent's failing cases\./);
  assert.doesNotMatch(evals!.content, /0 train case\(s\) fail/);
  assert.match(evals!.content, /the agent ran out of patience/, 'the log tail is still shown: the crash printed nothing of the grader');
  assert.match(failures!.content, /^Of the parent\. Kinds: 16 failing train case\(s\)\n/);
  assert.match(failures!.content, /\nAll 16 failing case\(s\) of every kind were shown already; again from the first, 16 of them:\n- smoke\/smoke-2/, 'the prompt showed them all, so they show again');
});

test('read_file past the end says so; an input a tool does not take is refused; an unknown tool lists the tools', async () => {
  await run(workspace(), [
    toolCall('read_file', { path: 'agent/params.json', offset: 50 }),
    toolCall('show_failures', { offset: 5000 }),
    toolCall('grep_files', { pattern: 'x' }),
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }),
    toolCall('submit_change', { title: 'x to 5', rationale: 'r' }),
  ]);
  assert.deepEqual(answers().slice(0, 3), [
    { content: '"agent/params.json" has 4 line(s); offset 50 is past its end', is_error: true },
    { content: 'show_failures takes "group", not "offset"', is_error: true },
    { content: 'there is no tool "grep_files"; the tools are list_files, read_file, search_files, show_failures, show_trace, edit_file, run_evals, submit_change', is_error: true },
  ]);
});

test('an edit whose search text is not in the file shows the nearest text, in agent mode and in single mode', async () => {
  const params = '{\n  "x": 2\n}';
  await run(workspace(), [
    toolCall('edit_file', { path: 'agent/params.json', search: '{\n    "x": 2,\n}', replace: '{\n  "x": 5\n}' }),
    toolCall('edit_file', { path: 'agent/params.json', search: 'nothing = like this here', replace: '' }),
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }),
    toolCall('submit_change', { title: 'x to 5', rationale: 'r' }),
  ]);
  const [near, far] = answers();
  assert.deepEqual(near, {
    content: `the edit (agent/params.json): search text must match exactly once, but it matches 0 times\nThe nearest text in agent/params.json, lines 1–3:\n${params}`,
    is_error: true,
  });
  assert.equal(far?.content, 'the edit (agent/params.json): search text must match exactly once, but it matches 0 times\nNo lines of agent/params.json resemble the search text; read the file again.');

  const summary = await run(workspace({ mode: 'single' }), [
    toolUse({ title: 'x to 5', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x":2', replace: '"x": 5' }] }),
    toolUse({ title: 'x to 5', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x":2', replace: '"x": 5' }] }),
  ]);
  const correction = model.server.proposalRequests()[1]!.messages.at(-1)!.content as Array<Record<string, unknown>>;
  assert.match(String(correction[0]!.content), /matches 0 times\. Call propose_change again with a corrected change\.\nThe nearest text in agent\/params\.json, lines 2–2:\n {2}"x": 2$/);
  assert.equal(summary.candidates[0]?.reason, 'invalid-proposal: edit 1 (agent/params.json): search text must match exactly once, but it matches 0 times', 'the record keeps the reason alone');
});
