import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runLoop, type LoopEvent } from '../../src/core/loop/loop';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { DEFAULT_LESSONS, MessagesServer, textOnly, toolCall, toolResults, toolUse, type Responder } from '../fixtures/messagesServer';
import { Store } from '../../src/core/record/store';
import { cli, cliAsync, git, isAlive, tempDir, waitForFile } from '../helpers';

/*
 * The model proposer in agent mode (the default), through the real SDK against a
 * scripted Messages API on loopback: tools over a draft, evidence, memory.
 */

let server: MessagesServer;
before(async () => {
  server = await MessagesServer.start();
});
after(() => server.close());

const KEY = 'sk-test-loopback';

function workspace(proposer: Record<string, unknown> = {}, config: Record<string, unknown> = {}): string {
  return agentWorkspace({ config: { proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1, ...proposer }, budget: { iterations: 1 }, ...config } });
}

async function run(dir: string, replies: Responder[], events: LoopEvent[] = []) {
  server.reset().reply(...replies);
  return runLoop(dir, {
    signal: new AbortController().signal,
    env: { ...process.env, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url },
    onEvent: (e) => events.push(e),
  });
}

const everyRequest = (): string => server.requests.map((r) => r.raw).join('\n');

test('the agent reads, asks for failures, edits its draft, runs the evals, sees its score and submits an improving candidate', async () => {
  const dir = workspace();
  const summary = await run(dir, [
    toolCall('read_file', { path: 'agent/params.json' }),
    toolCall('show_failures', {}),
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 7' }),
    toolCall('run_evals', {}),
    toolCall('submit_change', { title: 'x to 7', rationale: 'cases 2 to 6 need x above their index' }),
  ]);
  const [candidate] = summary.candidates;
  assert.equal(candidate?.status, 'pending', candidate?.reason);
  assert.equal(candidate.title, 'x to 7');
  assert.equal(candidate.objective?.value, 0.7);
  assert.deepEqual(candidate.edits, [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 7' }]);
  assert.deepEqual(candidate.conversation?.map((c) => c.tool), ['read_file', 'show_failures', 'edit_file', 'run_evals', 'submit_change']);

  const requests = server.proposalRequests();
  assert.equal(requests.length, 5, 'one request per turn');
  assert.deepEqual(requests[0]?.tools?.map((t) => t.name), ['list_files', 'read_file', 'search_files', 'show_failures', 'show_trace', 'edit_file', 'run_evals', 'submit_change']);
  const results = toolResults(requests[4]!);
  assert.match(results[0]!.content, /"x": 2/, 'read_file returned the file');
  // Every case expected its own answer and all got "no-idea": counted by what they got.
  assert.match(results[1]!.content, /^Of the parent\. Kinds: 16 failing train case\(s\)\n- 1\. 8 × smoke: got "no-idea"\n- 2\. 8 × train: got "no-idea"\n/);
  assert.match(results[1]!.content, /- train\/train-5\n {2}input: \{"question":"q5"\}\n {2}expected: answer-5\n {2}output: no-idea\n {2}feedback: case 5 passes once x is above 5/, 'the evidence reached the model');
  assert.match(results[3]!.content, /- train: score 0\.7 \(\+0\.5 vs the parent\)/, 'run_evals reports the draft\'s score and its delta');
  assert.match(results[3]!.content, /newly passing: train-2, train-3, train-4, train-5, train-6/);
  assert.match(JSON.stringify(requests[0]), /raise x to pass more cases/, 'the eval\'s own feedback is in the prompt');
  assert.equal(summary.run.drafts?.evaluations, 1, 'the draft run counts in the run\'s totals');
  assert.ok(!everyRequest().includes('HOLDOUT-SECRET'), 'no holdout case id, input or feedback in any request');
  assert.ok(!everyRequest().includes('holdout_only_metric'), 'no holdout metric in any request');
});

test('reading a protected file or editing outside the editable files is a tool error; nothing is written and the protected text never leaves', async () => {
  const dir = workspace();
  const before = git(dir, 'status', '--porcelain');
  const summary = await run(dir, [
    toolCall('read_file', { path: 'eval/score.js' }),
    toolCall('read_file', { path: '.aiai/config.json' }),
    toolCall('search_files', { pattern: 'noisy eval' }),
    toolCall('edit_file', { path: 'eval/score.js', search: 'const n = 10;', replace: 'const n = 1;' }),
    toolCall('edit_file', { path: '../outside.txt', search: '', replace: 'escaped' }),
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 4' }),
    toolCall('submit_change', { title: 'x to 4', rationale: 'more cases pass' }),
  ]);
  const results = toolResults(server.proposalRequests().at(-1)!);
  assert.deepEqual(results.map((r) => r.is_error ?? false), [true, true, false, true, true, false]);
  assert.match(results[0]!.content, /^cannot read "eval\/score\.js": the file is protected/);
  assert.match(results[1]!.content, /^cannot read "\.aiai\/config\.json": aiai's and git's own files are never shown/);
  assert.match(results[2]!.content, /^no match\n\n\[\d+ of 20 turns left; 3 of 3 run_evals left\]$/, 'search never looks into protected files');
  assert.match(results[3]!.content, /^refused: "eval\/score\.js": the path is protected/);
  assert.match(results[4]!.content, /^refused: "\.\.\/outside\.txt": the path escapes the workspace/);
  assert.equal(summary.candidates[0]?.status, 'pending');
  assert.deepEqual(summary.candidates[0]?.changedPaths, ['agent/params.json']);
  assert.ok(!existsSync(path.join(dir, '..', 'outside.txt')), 'nothing was written outside');
  assert.equal(git(dir, 'status', '--porcelain'), before, 'the working tree is as it was');
  assert.ok(!everyRequest().includes('AIAI_REPEAT') && !everyRequest().includes('blockUnlessX'), 'the protected file\'s text is in no request');
});

test('a conversation past proposer.maxTurns submits the draft it has, and run_evals past proposer.maxEvalRuns is a tool error', async () => {
  const dir = workspace({ maxTurns: 4, maxEvalRuns: 1 });
  const summary = await run(dir, [
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 3' }),
    toolCall('run_evals', {}),
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 3', replace: '"x": 4' }),
    toolCall('run_evals', {}),
  ]);
  const [candidate] = summary.candidates;
  assert.equal(candidate?.status, 'pending', candidate?.reason);
  assert.equal(candidate.title, 'Draft of agent/params.json, submitted when the turns ran out');
  const results = toolResults(server.proposalRequests().at(-1)!);
  assert.equal(results.length, 3, 'the last turn\'s call got no answer: the conversation ended');
  assert.equal(summary.run.drafts?.evaluations, 1);
  assert.deepEqual(candidate.conversation?.map((c) => [c.tool, c.isError]), [['edit_file', false], ['run_evals', false], ['edit_file', false], ['run_evals', true]]);
  assert.match(candidate.conversation?.[3]?.result ?? '', /run_evals may run 1 time\(s\) per proposal \(proposer\.maxEvalRuns\)/);
});

test('every turn is marked for the prompt cache within the API\'s four breakpoints, and later turns read it', async () => {
  const dir = workspace();
  const summary = await run(dir, [
    toolCall('list_files', {}),
    toolCall('read_file', { path: 'agent/prompt.md' }),
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }),
    toolCall('submit_change', { title: 'x to 5', rationale: 'r' }),
  ]);
  for (const request of server.proposalRequests()) {
    assert.ok((JSON.stringify(request).match(/"cache_control"/g) ?? []).length <= 4);
    if (request.messages.length === 1) continue;
    const last = request.messages.at(-1)!.content as Array<Record<string, unknown>>;
    assert.deepEqual(last.at(-1)?.cache_control, { type: 'ephemeral' }, 'the newest turn is a breakpoint');
  }
  const usage = summary.candidates[0]!.usage!;
  assert.ok(usage.cacheReadTokens / (usage.cacheReadTokens + usage.cacheCreationTokens + usage.inputTokens) > 0.5, 'most input is read from the cache');
});

test('a person\'s rejection reason reaches the next run\'s requests', async () => {
  const dir = workspace({ mode: 'single' });
  const first = await run(dir, [toolUse({ title: 'x to 9', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 9' }] })]);
  const id = first.candidates[0]!.id;
  const rejected = cli(dir, 'reject', id, '--reason', 'x above 8 overloads the queue in production');
  assert.equal(rejected.code, 0, rejected.stderr);
  await run(dir, [toolUse({ title: 'x to 6', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 6' }] })]);
  const [request] = server.proposalRequests();
  assert.match(JSON.stringify(request), /Changes a person rejected, and why \(do not propose them again\)\\n- \\"x to 9\\" \(candidate [0-9a-f]{12}\): x above 8 overloads the queue in production/);
});

test('the lessons are rewritten at the end of a run, a person\'s edits are kept as input, and the next run reads them', async () => {
  const dir = workspace();
  const edit = (x: number) => [
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: `"x": ${x}` }),
    toolCall('submit_change', { title: `x to ${x}`, rationale: 'r' }),
  ];
  const events: LoopEvent[] = [];
  const first = await run(dir, [...edit(5), textOnly('## What worked\n- LESSON-MARKER raising x')], events);
  const lessonsFile = path.join(dir, '.aiai', 'lessons.md');
  assert.equal(readFileSync(lessonsFile, 'utf8'), '## What worked\n- LESSON-MARKER raising x\n');
  assert.ok(events.some((e) => e.type === 'notice' && e.message === `rewrote ${path.join('.aiai', 'lessons.md')} from this run's 1 attempt(s)`));
  const [rewrite] = server.messageRequests().filter((r) => !r.tools?.length);
  assert.match(JSON.stringify(rewrite), /\[improved, awaiting review\] \S+ \\"x to 5\\", built on version [0-9a-f]{8} → 0\.5 \(\+0\.3\)/, 'the rewrite sees the run\'s attempts');
  assert.ok(!JSON.stringify(rewrite).includes('HOLDOUT-SECRET'));
  assert.equal(first.run.lessonsUsage?.outputTokens, 120);

  writeFileSync(lessonsFile, '## What worked\n- LESSON-MARKER raising x\n- PERSON-NOTE keep x even\n');
  await run(dir, edit(6));
  const requests = server.messageRequests();
  assert.match(JSON.stringify(requests[0]), /Lessons from earlier runs \(\.aiai\/lessons\.md\)\\n## What worked\\n- LESSON-MARKER raising x\\n- PERSON-NOTE keep x even/);
  assert.match(JSON.stringify(requests.at(-1)), /PERSON-NOTE keep x even/, 'the person\'s edit is input to the next rewrite');
  assert.equal(readFileSync(lessonsFile, 'utf8'), `${DEFAULT_LESSONS}\n`);
});

test("a person's edit of the lessons made while the model rewrites them is kept; the model's lessons are set beside it", async () => {
  const dir = workspace();
  const lessonsFile = path.join(dir, '.aiai', 'lessons.md');
  const events: LoopEvent[] = [];
  const editedMeanwhile: Responder = (body) => {
    writeFileSync(lessonsFile, '- PERSON-NOTE written while the model wrote\n');
    return textOnly('## What worked\n- MODEL-LESSON')(body);
  };
  await run(dir, [toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }), toolCall('submit_change', { title: 'x to 5', rationale: 'r' }), editedMeanwhile], events);
  assert.equal(readFileSync(lessonsFile, 'utf8'), '- PERSON-NOTE written while the model wrote\n');
  assert.equal(readFileSync(`${lessonsFile}.proposed`, 'utf8'), '## What worked\n- MODEL-LESSON\n');
  assert.ok(events.some((e) => e.type === 'notice' && /lessons\.md changed while the lessons were rewritten: your edit is kept, and the new lessons are in .*lessons\.md\.proposed/.test(e.message)));
  assert.equal(git(dir, 'status', '--porcelain'), '', 'neither file shows in git status');
});

test('aiai show tells how a candidate got here, and aiai lessons prints the lessons', async () => {
  const dir = workspace();
  const summary = await run(dir, [
    toolCall('read_file', { path: 'eval/score.js' }),
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: '"x": 6' }),
    toolCall('submit_change', { title: 'x to 6', rationale: 'r' }),
  ]);
  const shown = cli(dir, 'show', summary.candidates[0]!.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^how it got here\n {3}1\. read_file \{"path":"eval\/score\.js"\} {2}✗ cannot read "eval\/score\.js": the file is protected\n {3}2\. edit_file \{"path":"agent\/params\.json","search":"\\"x\\": 2","replace":"\\"x\\": 6"\} {2}→ edited agent\/params\.json; the draft has 1 edit\(s\)\n {3}3\. submit_change \{"diagnosis":\{[^}]+\},"title":"x to 6","rationale":"r"\} {2}→ submitted$/m);
  const lessons = cli(dir, 'lessons');
  assert.equal(lessons.code, 0, lessons.stderr);
  assert.equal(lessons.stdout, `${DEFAULT_LESSONS}\n`);
  assert.deepEqual(JSON.parse(cli(dir, 'lessons', '--json').stdout), { file: path.join(dir, '.aiai', 'lessons.md'), lessons: DEFAULT_LESSONS });
});

test('an ensemble draws a model per proposal by weight; each candidate records its model, and the run summary tallies each', async () => {
  const dir = workspace({ mode: 'single', seed: 3, models: [{ model: 'claude-haiku-4-5', weight: 1 }, { model: 'claude-opus-5', weight: 1 }] }, { budget: { iterations: 6 } });
  const setX = (x: number, from: number) => toolUse({ title: `x to ${x}`, rationale: 'r', edits: [{ path: 'agent/params.json', search: `"x": ${from}`, replace: `"x": ${x}` }] });
  server.reset().reply(setX(3, 2), setX(4, 3), setX(5, 4), setX(6, 5), setX(7, 6), setX(8, 7));
  const result = await cliAsync({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url }, dir, 'run');
  assert.equal(result.code, 0, result.stderr);
  const candidates = new Store(dir).candidates();
  const sent = server.proposalRequests().map((r) => r.model);
  assert.deepEqual(candidates.map((c) => c.model), sent, 'each candidate records the model its request named');
  assert.deepEqual(new Set(sent), new Set(['claude-haiku-4-5', 'claude-opus-5']), 'both models proposed');
  for (const model of ['claude-haiku-4-5', 'claude-opus-5']) {
    const mine = candidates.filter((c) => c.model === model);
    const line = new RegExp(`^ {2}${model}: ${mine.length} proposal\\(s\\), ${mine.filter((c) => c.status === 'pending').length} improvement\\(s\\), [\\d,]+ input tokens .* · \\$\\d+\\.\\d{4}$`, 'm');
    assert.match(result.stdout, line);
  }
});

test('a stop cancels the conversation in flight: the draft\'s eval is killed and nothing is recorded', async () => {
  // Without the sandbox, so the blocked eval can tell the test its pid through a file outside the worktree.
  const dir = workspace({}, { sandbox: { mode: 'off' } });
  const pidFile = path.join(tempDir(), 'draft-eval.pid');
  server.reset().reply(
    toolCall('edit_file', { path: 'agent/params.json', search: '"x": 2', replace: `"x": 2, "block": ${JSON.stringify(pidFile)}` }),
    toolCall('run_evals', {}),
  );
  const controller = new AbortController();
  const running = runLoop(dir, { signal: controller.signal, env: { ...process.env, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url } });
  await waitForFile(pidFile);
  const evalPid = Number(readFileSync(pidFile, 'utf8'));
  controller.abort();
  const summary = await running;
  assert.equal(summary.run.state, 'interrupted');
  assert.deepEqual(summary.candidates, []);
  assert.deepEqual(new Store(dir).candidates(), [], 'no record of the conversation that was stopped');
  assert.equal(isAlive(evalPid), false, 'the draft\'s eval was killed');
  assert.equal(server.proposalRequests().length, 2, 'no turn after the stop');
});

test('an endpoint without a Models API (a local model server, say) gets no word about the model, and the run goes on', async () => {
  const dir = workspace({ model: 'qwen3-coder', mode: 'single' });
  server.modelsApi = false;
  try {
    const events: LoopEvent[] = [];
    const summary = await run(dir, [toolUse({ title: 'x to 5', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 5' }] })], events);
    assert.equal(summary.candidates[0]?.status, 'pending');
    assert.ok(server.requests.some((r) => r.path === '/v1/models/qwen3-coder'), 'the model was asked about');
    assert.ok(!events.some((e) => e.type === 'notice' && /qwen3-coder/.test(e.message)), 'and nothing was said of it');
  } finally {
    server.modelsApi = true;
  }
});
