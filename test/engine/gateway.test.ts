import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { startSimulatedModel, type SimulatedModel } from '../../scripts/simulated-model.mjs';
import { ModelGateway } from '../../src/core/gateway/gateway';
import { runLoop } from '../../src/core/loop/loop';
import { paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { modelAgentWorkspace } from '../fixtures/modelAgent';
import { configJson, makeRepo } from '../helpers';

/*
 * The model gateway: the agent under improvement calls its model through aiai,
 * with a stand-in key; the upstream (the simulated model, on loopback) sees the
 * real key; every call is metered against the eval that made it.
 */

const REAL_KEY = 'sk-ant-REAL-KEY-never-in-a-sandbox';
const REAL_OPENAI_KEY = 'sk-REAL-OPENAI-KEY';
let model: SimulatedModel;

before(async () => {
  ensureDebianPackages(['bubblewrap']);
  model = await startSimulatedModel();
});
after(() => model.close());

const MODELS = { anthropic: {}, openai: {}, maxRetries: 2, pricing: {} };

/** A gateway in front of the simulated model, one eval run's grant, and the SDK client that eval would make with it. */
async function granted(label: string, evalName = 'train', options: { maxCostUsd?: number; maxRetries?: number } = {}) {
  const env = { ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: REAL_KEY, OPENAI_BASE_URL: `${model.url}/v1`, OPENAI_API_KEY: REAL_OPENAI_KEY };
  const gw = await ModelGateway.open({ models: MODELS, env, ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}) });
  gw.meterFor('run-1', undefined, () => {});
  const grant = gw.grant({ label, eval: evalName, repeat: 1 });
  const evalEnv = grant.env();
  const client = new Anthropic({ apiKey: evalEnv.ANTHROPIC_API_KEY, baseURL: evalEnv.ANTHROPIC_BASE_URL, maxRetries: options.maxRetries ?? 0 });
  return { gw, grant, env: evalEnv, client };
}

const ASK = { model: 'claude-haiku-4-5', max_tokens: 50, system: 'Routes: billing, refund. Answer with the route name only.', messages: [{ role: 'user' as const, content: 'I was charged twice' }] };

test('the SDK calls its model through the gateway: the upstream gets the real key, the eval only a stand-in, and the call is metered', async () => {
  const { gw, grant, env, client } = await granted('c1');
  assert.match(env.ANTHROPIC_API_KEY!, /^aiai-run_1-c1-train-1-[0-9a-f]{36}$/, 'the stand-in names the run, the candidate and the eval');
  const before = model.requests.length;
  const answer = await client.messages.create(ASK, { headers: { 'x-aiai-case': 'ticket-1' } });
  const streamed = await client.messages.stream(ASK).finalMessage();
  const counted = await client.messages.countTokens({ model: ASK.model, messages: ASK.messages });
  const models = await client.models.list();
  const seen = model.requests.slice(before);
  assert.deepEqual(seen.map((r) => r.headers['x-api-key']), [REAL_KEY, REAL_KEY, REAL_KEY, REAL_KEY], 'each call reached the upstream with the real key');
  assert.ok(seen.every((r) => r.headers['x-aiai-case'] === undefined), 'the case tag is the gateway\'s, not the upstream\'s');
  assert.equal(streamed.content[0]?.type === 'text' && streamed.content[0].text, answer.content[0]?.type === 'text' && answer.content[0].text, 'a streamed answer arrives whole');
  assert.ok(counted.input_tokens > 0);
  assert.ok(models.data.length > 0);
  const meter = grant.end();
  const metrics = meter.metrics();
  assert.equal(metrics['model.calls'], 2, 'count_tokens and the Models API are passed on, not counted as model calls');
  assert.equal(metrics['model.input_tokens'], answer.usage.input_tokens + streamed.usage.input_tokens, 'tokens are what the upstream reported, streamed or not');
  assert.equal(metrics['model.output_tokens'], answer.usage.output_tokens + streamed.usage.output_tokens);
  const expected = ((answer.usage.input_tokens + streamed.usage.input_tokens) * 1 + (answer.usage.output_tokens + streamed.usage.output_tokens) * 5) / 1e6;
  assert.ok(Math.abs(metrics['model.cost_usd']! - expected) < 1e-9, `haiku 4.5 at $1/$5 per MTok: ${metrics['model.cost_usd']} vs ${expected}`);
  assert.deepEqual(meter.byCase().get('ticket-1'), { calls: 1, inputTokens: answer.usage.input_tokens, outputTokens: answer.usage.output_tokens, costUsd: Math.round((answer.usage.input_tokens + answer.usage.output_tokens * 5) / 1e6 * 1e8) / 1e8 });
  await gw.close();
});

test('a wrong, missing or revoked stand-in gets 401 and never reaches an upstream', async () => {
  const { gw, grant, env } = await granted('c1');
  const before = model.requests.length;
  const call = (apiKey: string): Promise<unknown> => new Anthropic({ apiKey, baseURL: env.ANTHROPIC_BASE_URL, maxRetries: 0 }).messages.create(ASK);
  await assert.rejects(call('sk-ant-guessed'), (e: Error) => e instanceof Anthropic.AuthenticationError && /not one aiai gave/.test(e.message));
  const bare = await fetch(`${env.ANTHROPIC_BASE_URL}/v1/messages`, { method: 'POST', body: JSON.stringify(ASK) });
  assert.equal(bare.status, 401);
  grant.end();
  await assert.rejects(call(env.ANTHROPIC_API_KEY!), Anthropic.AuthenticationError, 'a key dies with its eval run');
  assert.equal(model.requests.length, before, 'the upstream saw none of them');
  await gw.close();
});

test('OpenAI-compatible chat completions, streamed too, go upstream with the real key as a bearer token', async () => {
  const { gw, grant, env } = await granted('c2', 'judge');
  const before = model.requests.length;
  const post = (body: Record<string, unknown>): Promise<Response> =>
    fetch(`${env.OPENAI_BASE_URL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${env.OPENAI_API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const messages = [{ role: 'system', content: ASK.system }, { role: 'user', content: 'I was charged twice' }];
  const plain = (await (await post({ model: 'llama3', messages })).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  const stream = await (await post({ model: 'llama3', messages, stream: true, stream_options: { include_usage: true } })).text();
  assert.match(stream, /data: \[DONE\]/);
  assert.deepEqual(model.requests.slice(before).map((r) => r.headers.authorization), [`Bearer ${REAL_OPENAI_KEY}`, `Bearer ${REAL_OPENAI_KEY}`]);
  const metrics = grant.end().metrics();
  assert.equal(metrics['model.calls'], 2);
  assert.equal(metrics['model.input_tokens'], plain.usage.prompt_tokens * 2);
  assert.equal(metrics['model.output_tokens'], plain.usage.completion_tokens * 2);
  assert.equal(metrics['model.cost_usd'], 0, 'a model without a price costs nothing known…');
  assert.equal(metrics['model.unpriced_calls'], 2, '…and the metrics say how many calls that leaves out');
  await gw.close();
});

test('a 429 is retried by the gateway before the eval sees it', async () => {
  const { gw, grant, client } = await granted('c3');
  const before = model.requests.length;
  const answer = await client.messages.create(ASK, { headers: { 'x-simulate-status': '429', 'x-simulate-key': 'retry-once' } });
  assert.equal(answer.type, 'message');
  assert.equal(model.requests.length - before, 2, 'the upstream answered 429 once, then the retry went through');
  assert.equal(grant.end().metrics()['model.calls'], 1, 'one call, as the eval made it');
  await gw.close();
});

test('budget.maxEvalCostUsd: once another call could pass it, the gateway answers 429 and says which budget', async () => {
  const { gw, grant, client } = await granted('c4', 'train', { maxCostUsd: 0.00001, maxRetries: 3 });
  await client.messages.create({ ...ASK, model: 'claude-opus-4-1' });
  const before = model.requests.length;
  await assert.rejects(client.messages.create(ASK), (e: Error) => e instanceof Anthropic.RateLimitError && /budget\.maxEvalCostUsd \$0\.00001/.test(e.message));
  assert.equal(model.requests.length, before, 'the refused call never left, and the SDK was told not to retry it');
  assert.match(gw.budgetProblem() ?? '', /evaluation budget/);
  assert.equal(grant.end().refusedForBudget, 1);
  await gw.close();
});

test('in the sandbox with the network off, the agent reaches its model only through the gateway, holds no real key, and its eval is metered call for call', async () => {
  const dir = modelAgentWorkspace(model.port, { parallel: 2 });
  const env = { ...process.env, ANTHROPIC_API_KEY: REAL_KEY, ANTHROPIC_BASE_URL: model.url };
  const saved = { key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL };
  Object.assign(process.env, { ANTHROPIC_API_KEY: REAL_KEY, ANTHROPIC_BASE_URL: model.url });
  try {
    const before = model.requests.length;
    const summary = await runLoop(dir, {
      env,
      parallel: 2,
      proposer: new ScriptedProposer([paramsStep('three calls', { x: 5, calls: 3, upstreamPort: model.port }), paramsStep('five calls', { x: 6, calls: 5, upstreamPort: model.port })]),
      signal: new AbortController().signal,
    });
    const callsOf: Record<string, number> = { 'three calls': 3, 'five calls': 5 };
    const graded = [[summary.run.baseline!, 2] as const, ...summary.candidates.map((c) => [c.evaluation!, callsOf[c.title]!] as const)];
    assert.equal(graded.length, 3);
    for (const [evaluation, calls] of graded) {
      const train = evaluation.evals[0]!;
      assert.equal(train.status, 'passed', train.reason);
      assert.equal(train.metrics['model.calls'], calls, 'parallel evals are metered apart');
      assert.equal(train.metrics['model.input_tokens'], train.metrics.seen_input, 'input tokens as the upstream served them');
      assert.equal(train.metrics['model.output_tokens'], train.metrics.seen_output);
      assert.ok(train.metrics['model.cost_usd']! > 0);
      assert.equal(train.metrics.reached_upstream, 0, 'a port of the host other than the gateway is out of reach');
      assert.equal(train.metrics.resolved, 0, 'and so is every name outside');
      assert.deepEqual(train.cases.map((c) => c.model?.calls), Array(calls).fill(1), 'each tagged case shows its own call');
      assert.ok(!train.logTail.includes(REAL_KEY), 'the environment the agent printed holds no real key');
      assert.match(train.logTail, /"ANTHROPIC_API_KEY":"aiai-/);
    }
    const seen = model.requests.slice(before);
    assert.equal(seen.length, 10);
    assert.ok(seen.every((r) => r.headers['x-api-key'] === REAL_KEY));
    assert.equal(summary.run.evalUsage?.calls, 10, 'the run counts what its evaluations spent');
  } finally {
    restore('ANTHROPIC_API_KEY', saved.key);
    restore('ANTHROPIC_BASE_URL', saved.url);
  }
});

test('budget.maxEvalCostUsd stops a run before evaluations spend more, and says so', async () => {
  const dir = modelAgentWorkspace(model.port, { budget: { iterations: 5, maxEvalCostUsd: 0.0003 } });
  const summary = await runLoop(dir, {
    env: { ...process.env, ANTHROPIC_API_KEY: REAL_KEY, ANTHROPIC_BASE_URL: model.url },
    proposer: new ScriptedProposer([1, 2, 3, 4, 5].map((i) => paramsStep(`try ${i}`, { x: 2 + i, calls: 8, upstreamPort: model.port }))),
    signal: new AbortController().signal,
  });
  assert.match(summary.run.stopReason ?? '', /evaluation budget.*maxEvalCostUsd \$0\.0003/);
  assert.ok(summary.candidates.length < 5, 'the run stopped early');
  assert.ok((summary.run.evalUsage?.costUsd ?? 0) <= 0.0003 + 0.0001, `spent ${summary.run.evalUsage?.costUsd}`);
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

test('an eval that writes a model.* metric itself fails: those are the gate\'s to measure', async () => {
  const dir = makeRepo({
    'agent/params.json': '{ "x": 2 }\n',
    'eval/score.js': "const p = require('./../agent/params.json'); console.log(JSON.stringify(p.x === 2 ? { score: 0.2 } : { score: 0.9, 'model.cost_usd': 0 }));\n",
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\n',
    '.aiai/config.json': configJson({ editable: ['agent/**'], protected: ['eval/**'], evals: [{ name: 'train', command: 'node eval/score.js' }], objective: { eval: 'train', metric: 'score' }, budget: { iterations: 1 } }),
  });
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('claims to be free', { x: 5 })]), signal: new AbortController().signal });
  const [forged] = summary.candidates;
  assert.equal(forged?.status, 'failed');
  assert.match(forged?.evaluation?.evals[0]?.reason ?? '', /wrote "model\.cost_usd": metrics named model\.\* belong to aiai's model gateway/);
});

test('models.maxConcurrent caps the calls in flight across evals', async () => {
  const upstream = await startSimulatedModel();
  const gw = await ModelGateway.open({ models: { ...MODELS, maxConcurrent: 2 }, env: { ANTHROPIC_BASE_URL: upstream.url, ANTHROPIC_API_KEY: REAL_KEY } });
  gw.meterFor('run-1', undefined, () => {});
  try {
    const grants = [gw.grant({ label: 'c1', eval: 'train', repeat: 1 }), gw.grant({ label: 'c2', eval: 'train', repeat: 1 })];
    const clients = grants.map((g) => new Anthropic({ apiKey: g.env().ANTHROPIC_API_KEY, baseURL: g.env().ANTHROPIC_BASE_URL, maxRetries: 0 }));
    const slow = { headers: { 'x-simulate-delay-ms': '150' } };
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => clients[i % 2]!.messages.create(ASK, slow)));
    assert.equal(upstream.mostInFlight, 2, 'never more than two calls at once reached the upstream');
    assert.deepEqual(grants.map((g) => g.end().metrics()['model.calls']), [3, 3], "each eval's calls are its own");
  } finally {
    await gw.close();
    await upstream.close();
  }
});
