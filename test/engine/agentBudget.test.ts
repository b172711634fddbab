import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toolCall, toolResults, type MessagesRequest } from '../fixtures/messagesServer';
import { scriptedModel } from '../fixtures/scriptedModel';

/*
 * An agent conversation knows its budget and loses no work at its end, through the
 * real SDK against a scripted Messages API on loopback.
 */

const model = scriptedModel();
const { run, workspace } = model;

const setX = (x: number, from = 2) => toolCall('edit_file', { path: 'agent/params.json', search: `"x": ${from}`, replace: `"x": ${x}` });

/** The text blocks of a request's newest user turn. */
function newestText(request: MessagesRequest): string {
  const content = request.messages.at(-1)!.content as Array<Record<string, unknown>>;
  return content.filter((b) => b.type === 'text').map((b) => String(b.text)).join('\n');
}

test('the first message states the turns and run_evals runs, and every tool result ends with what is left of them', async () => {
  const dir = workspace({ maxTurns: 5, maxEvalRuns: 2 });
  const summary = await run(dir, [toolCall('read_file', { path: 'agent/params.json' }), setX(3), toolCall('run_evals', {}), toolCall('submit_change', { title: 'x to 3', rationale: 'r' })]);
  assert.equal(summary.candidates[0]?.status, 'pending', summary.candidates[0]?.reason);
  const requests = model.server.proposalRequests();
  assert.match(JSON.stringify(requests[0]!.messages[0]), /You have 5 turns \(each reply is one; proposer\.maxTurns\) and 2 run_evals runs \(proposer\.maxEvalRuns\)/);
  const results = toolResults(requests.at(-1)!).map((r) => r.content);
  assert.match(results[0]!, /"x": 2[^]*\n\n\[4 of 5 turns left; 2 of 2 run_evals left\]$/);
  assert.match(results[1]!, /^edited agent\/params\.json; the draft has 1 edit\(s\)\n\n\[3 of 5 turns left; 2 of 2 run_evals left\]$/);
  assert.match(results[2]!, /^The train evals ran\.[^]*\n\n\[2 of 5 turns left; 1 of 2 run_evals left\]$/);
  assert.equal(summary.candidates[0]?.conversation?.[1]?.result, 'edited agent/params.json; the draft has 1 edit(s)', 'the record keeps the answer without the budget');
});

test('a conversation that reaches proposer.maxTurns with edits in its draft yields a candidate: the last turn may only submit, and a model that does not is submitted for', async () => {
  const dir = workspace({ maxTurns: 3 });
  // The model ignores the forced submit_change on its last turn and reads instead.
  const summary = await run(dir, [setX(5), toolCall('read_file', { path: 'agent/params.json' }), toolCall('read_file', { path: 'agent/prompt.md' })]);
  const requests = model.server.proposalRequests();
  assert.deepEqual(
    requests.map((r) => r.tool_choice),
    [{ type: 'any' }, { type: 'any' }, { type: 'tool', name: 'submit_change' }],
  );
  assert.match(newestText(requests[2]!), /^Your next turn is the last \(proposer\.maxTurns\): call submit_change with your diagnosis, a title and a rationale for the draft's 1 edit\(s\); without it the draft is submitted as it stands\.$/);
  const [candidate] = summary.candidates;
  assert.equal(candidate?.status, 'pending', candidate?.reason);
  assert.equal(candidate.title, 'Draft of agent/params.json, submitted when the turns ran out');
  assert.equal(candidate.rationale, 'The agent used its 3 turns (proposer.maxTurns) without calling submit_change; aiai submitted its draft of 1 edit(s) as it stood.');
  assert.deepEqual(candidate.edits, [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }]);
  assert.equal(candidate.objective?.value, 0.5, 'the draft was graded as any proposal');
});

test('a model that submits on its forced last turn gets its own title; a draft without edits at the end yields no proposal', async () => {
  const submitted = await run(workspace({ maxTurns: 2 }), [setX(4), toolCall('submit_change', { title: 'x to 4', rationale: 'more cases pass' })]);
  assert.deepEqual(model.server.proposalRequests()[1]?.tool_choice, { type: 'tool', name: 'submit_change' });
  assert.equal(submitted.candidates[0]?.title, 'x to 4');

  const empty = await run(workspace({ maxTurns: 2 }), [toolCall('list_files', {}), toolCall('list_files', {})]);
  const requests = model.server.proposalRequests();
  assert.deepEqual(requests[1]?.tool_choice, { type: 'any' }, 'nothing to submit, so nothing is forced');
  assert.match(newestText(requests[1]!), /^Your next turn is the last \(proposer\.maxTurns\), and the draft has no edits: a proposal needs an edit_file now\.$/);
  assert.equal(empty.candidates[0]?.status, 'failed');
  assert.equal(empty.candidates[0]?.reason, 'invalid-proposal: the agent used its 2 turns (proposer.maxTurns) without calling submit_change');
});

test('run_evals on a draft unchanged since its last run returns that result without spending a run; an edit makes the next one run', async () => {
  const dir = workspace({ maxEvalRuns: 1 });
  const summary = await run(dir, [setX(4), toolCall('run_evals', {}), toolCall('run_evals', {}), setX(6, 4), toolCall('run_evals', {}), toolCall('submit_change', { title: 'x to 6', rationale: 'r' })]);
  const results = toolResults(model.server.proposalRequests().at(-1)!);
  assert.equal(results[2]?.is_error, undefined);
  assert.match(results[2]!.content, /^The draft is unchanged since run_evals 1; its result again, no run spent:\nThe train evals ran\.\n- smoke: score 0\.4 \(\+0\.2 vs the parent\)/);
  assert.match(results[2]!.content, /\[\d+ of 20 turns left; 0 of 1 run_evals left\]$/);
  assert.equal(results[4]?.is_error, true, 'a changed draft needs a run, and none is left');
  assert.match(results[4]!.content, /^run_evals may run 1 time\(s\) per proposal \(proposer\.maxEvalRuns\)/);
  assert.equal(summary.run.drafts?.evaluations, 1, 'one draft evaluation in all');
});
