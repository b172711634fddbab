import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_MODEL } from '../../src/core/propose/anthropicProposer';
import { runLoop, type LoopEvent } from '../../src/core/loop/loop';
import { Store } from '../../src/core/record/store';
import { addUsage } from '../../src/shared/usage';
import { agentWorkspace } from '../fixtures/agentWorkspace';
import { dropConnection, failWith, MessagesServer, textOnly, toolUse, type Responder } from '../fixtures/messagesServer';
import { cliAsync, cliWithEnv } from '../helpers';

let server: MessagesServer;
before(async () => {
  server = await MessagesServer.start();
});
after(() => server.close());

const KEY = 'sk-test-loopback';

/** A workspace whose model proposer works in single mode (one propose_change call). */
function modelWorkspace(config: Record<string, unknown> = {}): string {
  const { proposer, ...rest } = config;
  return agentWorkspace({
    config: { proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 2, mode: 'single', ...(proposer as object) }, budget: { iterations: 1 }, ...rest },
  });
}

async function run(workspace: string, replies: Responder[], options: { iterations?: number; events?: LoopEvent[] } = {}) {
  server.reset().reply(...replies);
  return runLoop(workspace, {
    signal: new AbortController().signal,
    env: { ...process.env, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url },
    ...(options.iterations ? { iterations: options.iterations } : {}),
    onEvent: (e) => options.events?.push(e),
  });
}

const setX = (x: number, from = 2) => toolUse({ title: `x to ${x}`, rationale: 'more is better', edits: [{ path: 'agent/params.json', search: `"x": ${from}`, replace: `"x": ${x}` }] });

test('the default model is one of the SDK\'s own, and not one it marks deprecated', () => {
  const deprecatedList = path.join(path.dirname(require.resolve('@anthropic-ai/sdk')), 'src', 'internal', 'data', 'deprecated-models.ts');
  assert.ok(existsSync(deprecatedList));
  assert.ok(!readFileSync(deprecatedList, 'utf8').includes(`'${DEFAULT_MODEL}'`));
});

test('a good edit from the model becomes a pending candidate, with its tokens and cost', async () => {
  const dir = modelWorkspace();
  const summary = await run(dir, [setX(6)]);
  const [c] = summary.candidates;
  assert.equal(c!.status, 'pending');
  assert.equal(c!.proposer, 'anthropic:claude-sonnet-5-5');
  assert.equal(c!.title, 'x to 6');
  assert.ok(c!.usage!.inputTokens + c!.usage!.cacheCreationTokens > 0);
  assert.ok(c!.usage!.costUsd > 0);
  assert.ok(summary.run.lessonsUsage, 'the lessons were rewritten after the run, by one more call');
  assert.deepEqual(summary.run.usage, addUsage(c!.usage!, summary.run.lessonsUsage));
  const [request] = server.requests.filter((r) => r.path === '/v1/messages');
  const sentKey = request!.headers['x-api-key'] ?? request!.headers.authorization?.replace(/^Bearer /, '');
  assert.equal(sentKey, KEY, 'the key reached the server');
  assert.deepEqual(request!.body!.tool_choice, { type: 'tool', name: 'propose_change' });
  assert.equal(request!.body!.tools![0]!.name, 'propose_change');
});

test('an edit whose search does not match gets one corrective turn; a second miss fails the candidate', async () => {
  const dir = modelWorkspace({ budget: { iterations: 2 } });
  const miss = toolUse({ title: 'x to 9', rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x": 7', replace: '"x": 9' }] });
  const summary = await run(dir, [miss, setX(5), miss, miss]);
  const [corrected, failed] = summary.candidates;
  assert.equal(corrected!.status, 'pending', 'corrected on the second turn');
  assert.equal(failed!.status, 'failed');
  assert.equal(failed!.reason, 'invalid-proposal: edit 1 (agent/params.json): search text must match exactly once, but it matches 0 times');
  const requests = server.proposalRequests();
  assert.equal(requests.length, 4);
  const correction = requests[1]!.messages.at(-1)!.content as Array<Record<string, unknown>>;
  assert.equal(correction[0]!.type, 'tool_result');
  assert.equal(correction[0]!.is_error, true);
  assert.match(String(correction[0]!.content), /matches 0 times/);
});

test('a reply without a tool call fails one candidate and the run goes on', async () => {
  const dir = modelWorkspace({ budget: { iterations: 2 } });
  const summary = await run(dir, [textOnly('I think x should be larger.'), textOnly('Still thinking.'), setX(4)]);
  assert.deepEqual(summary.candidates.map((c) => c.status), ['failed', 'pending']);
  assert.equal(summary.candidates[0]!.reason, 'invalid-proposal: the reply did not call propose_change');
  assert.equal(summary.run.state, 'finished');
});

test('an overloaded reply (529) is retried and the proposal goes through', async () => {
  const dir = modelWorkspace();
  const summary = await run(dir, [failWith(529, 'overloaded_error', 'Overloaded', { 'retry-after': '0' }), setX(6)]);
  assert.equal(summary.candidates[0]!.status, 'pending');
  assert.equal(server.proposalRequests().length, 2);
});

test('a 401 stops the loop with a message that says how to set a key, and keeps what was recorded', async () => {
  const dir = modelWorkspace({ budget: { iterations: 3 } });
  await assert.rejects(run(dir, [setX(5), failWith(401, 'authentication_error', 'invalid x-api-key')]), /the Anthropic API refused the API key \(401\)\. Set a valid key: ANTHROPIC_API_KEY/);
  const store = new Store(dir);
  assert.equal(store.candidates().length, 1);
  assert.equal(store.runs()[0]!.state, 'failed');
});

test('a dropped connection fails only that candidate; three in a row pause the loop with every record kept', async () => {
  const dir = modelWorkspace({ budget: { iterations: 6 }, proposer: { kind: 'anthropic', maxRetries: 0 } });
  const summary = await run(dir, [dropConnection(), setX(5), dropConnection(), dropConnection(), dropConnection()]);
  assert.deepEqual(summary.candidates.map((c) => c.status), ['failed', 'pending', 'failed', 'failed', 'failed']);
  assert.match(summary.candidates[0]!.reason!, /^proposer-error: the connection to the model failed/);
  assert.match(summary.run.stopReason!, /^paused: the proposer failed 3 times in a row/);
  assert.equal(new Store(dir).candidates().length, 5);
});

test('edits to a protected file or out of the workspace pass through the guard and are refused', async () => {
  const dir = modelWorkspace({ budget: { iterations: 2 } });
  const summary = await run(dir, [
    toolUse({ title: 'kinder grader', rationale: 'r', edits: [{ path: 'eval/score.js', search: "const n = 10;", replace: 'const n = 1;' }] }),
    toolUse({ title: 'escape', rationale: 'r', edits: [{ path: '../escape.txt', search: '', replace: 'x' }] }),
  ]);
  assert.deepEqual(summary.candidates.map((c) => c.status), ['refused', 'refused']);
  assert.match(summary.candidates[0]!.reason!, /"eval\/score\.js": the path is protected/);
  assert.match(summary.candidates[1]!.reason!, /escapes the workspace/);
});

test('the stable prefix is marked for the cache and identical across rounds; holdout data is in no request', async () => {
  const dir = modelWorkspace({ budget: { iterations: 3 } });
  const summary = await run(dir, [setX(5), setX(7, 5), setX(8, 7)]);
  assert.deepEqual(summary.candidates.map((c) => c.status), ['pending', 'pending', 'pending']);
  assert.ok(summary.candidates.some((c) => c.evaluation!.evals.some((e) => e.holdout)), 'holdout evals ran');

  const requests = server.proposalRequests();
  const prefixes = requests.map((r) => (r.messages[0]!.content as Array<{ text: string; cache_control?: unknown }>)[0]!);
  for (const prefix of prefixes) assert.deepEqual(prefix.cache_control, { type: 'ephemeral' });
  assert.equal(new Set(prefixes.map((p) => p.text)).size, 1, 'byte-identical across rounds');
  assert.match(prefixes[0]!.text, /## agent\/params\.json/);
  const blocks = requests.map((r) => (r.messages[0]!.content as Array<{ text: string; cache_control?: unknown }>));
  const [first, second] = summary.candidates;
  assert.equal(
    blocks[2]![4]!.text,
    `- [improved, awaiting review] ${second!.id} "x to 7", built on candidate ${first!.id} → 0.7 (+0.2); hypothesis: raise x; expected: score up by about 0.1 per step of x; failing: smoke/smoke-7, smoke/smoke-8, smoke/smoke-9, train/train-7, train/train-8, train/train-9`,
    'each earlier attempt is a block of its own, naming what it was built on and where it stands',
  );
  assert.deepEqual(blocks[2]![4]!.cache_control, { type: 'ephemeral' }, 'the history is cached too');
  assert.match(blocks[2]![1]!.text, /^# The version to change/);
  assert.deepEqual(blocks[2]![1]!.cache_control, { type: 'ephemeral' }, 'so is the version to change, the same while the parent is');
  assert.ok(summary.candidates[1]!.usage!.cacheReadTokens > 0, 'round 2 reads the cache');

  for (const r of server.requests) {
    assert.ok(!r.raw.includes('HOLDOUT-SECRET'), 'no holdout case');
    assert.ok(!r.raw.includes('holdout_only_metric'), 'no holdout metric');
    assert.ok(!/"holdout"|holdout:/.test(r.raw), 'no holdout eval result');
  }
});

test('a deprecated model is named to the user', async () => {
  server.lifecycles['claude-old-1'] = 'deprecated';
  const dir = modelWorkspace({ proposer: { kind: 'anthropic', model: 'claude-old-1' } });
  const events: LoopEvent[] = [];
  await run(dir, [setX(6)], { events });
  assert.ok(events.some((e) => e.type === 'notice' && /the model claude-old-1 is deprecated since 2026-06-01; set another in proposer\.model/.test(e.message)));
});

test('budget.maxCostUsd stops the loop before a call that would exceed it', async () => {
  const dir = modelWorkspace({ budget: { iterations: 5, maxCostUsd: 0.000001 } });
  const summary = await run(dir, [setX(5), setX(7, 5)]);
  assert.equal(summary.candidates.length, 1);
  assert.match(summary.run.stopReason!, /^budget: another proposal would take the cost past \$0\.000001/);
});

test('files that may hold secrets are left out of the request, and the record says so', async () => {
  const dir = agentWorkspace({
    config: { proposer: { kind: 'anthropic', mode: 'single' }, budget: { iterations: 1 } },
    files: { 'agent/.env': 'OPENAI_API_KEY=sk-very-secret\n' },
  });
  const summary = await run(dir, [setX(6)]);
  assert.deepEqual(summary.candidates[0]!.leftOut, [{ path: 'agent/.env', reason: 'may hold secrets' }]);
  assert.ok(server.requests.every((r) => !r.raw.includes('sk-very-secret')));
});

test('without an API key the parameter search proposes, and says how to set a key', async () => {
  const dir = modelWorkspace();
  const result = cliWithEnv({ ANTHROPIC_API_KEY: '' }, dir, 'run');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /no Anthropic API key, so the built-in parameter search proposes instead of a model\. Set one with ANTHROPIC_API_KEY/);
});

test('the CLI reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL', async () => {
  const dir = modelWorkspace();
  server.reset().reply(setX(6));
  const result = await cliAsync({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url }, dir, 'run', '--json');
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { candidates: Array<{ id: string; status: string }> };
  assert.equal(out.candidates[0]!.status, 'pending');
  assert.equal(server.proposalRequests().length, 1);
  const shown = cliWithEnv({}, dir, 'show', out.candidates[0]!.id);
  assert.match(shown.stdout, /^model {6}[\d,]+ input tokens \([\d,]+ read from the cache, [\d,]+ written\) · 120 output · \$0\.\d{4}$/m);
});

test('the workspace\'s own .aiai/prompts/propose.md is the system prompt', async () => {
  const dir = agentWorkspace({
    config: { proposer: { kind: 'anthropic', mode: 'single' }, budget: { iterations: 1 } },
    files: { '.aiai/prompts/propose.md': 'You tune x. Be brief.\n' },
  });
  await run(dir, [setX(6)]);
  const [request] = server.proposalRequests();
  assert.deepEqual(request!.system, [{ type: 'text', text: 'You tune x. Be brief.\n' }]);
});

test('budget.maxTokens stops the loop before a call that would exceed it', async () => {
  const dir = modelWorkspace({ budget: { iterations: 5, maxTokens: 10 } });
  const summary = await run(dir, [setX(5), setX(7, 5)]);
  assert.equal(summary.candidates.length, 1);
  assert.match(summary.run.stopReason!, /^budget: another proposal would take the tokens past 10 \(spent \d+\)/);
});
