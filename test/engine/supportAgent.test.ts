import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { prepareExample } from '../../scripts/example-workspace.mjs';
import { startSimulatedModel, type SimulatedModel } from '../../scripts/simulated-model.mjs';
import { runLoop } from '../../src/core/loop/loop';
import { commitAll, git, tempDir } from '../helpers';

/*
 * The support-agent example, without aiai's gateway: its eval runs the agent (the real
 * Anthropic SDK) against the simulated model on loopback, and a better prompt scores better.
 */

const run = promisify(execFile);
const TEAMS = ['billing', 'technical', 'account', 'refund', 'other'];

interface Report {
  metrics: Record<string, number>;
  cases: Array<{ id: string; passed: boolean; score?: number; input?: unknown; expected?: unknown; output?: unknown; feedback?: string }>;
  feedback?: string;
}

const BETTER_PROMPT = `You route customer support tickets for Acme Cloud, a project-management app, to the one team that should answer them.

Teams:
- billing: invoices, receipts, VAT, quotes, prices, payment methods, cards, bank transfers, renewals, seats and upgrades.
- refund: the customer wants money back. A refund, reimbursement, compensation for an outage, a charge reversed, a duplicate payment, charged twice, billed after cancelling or downgrading, the money-back guarantee. Always refund when the customer wants money back, even if the ticket mentions invoices, plans or payments.
- technical: the product misbehaves: errors, error codes, crashes, bugs, blank or slow pages, loading spinners, the API, webhooks, sync, export, upload, SSO, integrations. Always technical when an error shows, even on the login page.
- account: who can sign in and who owns what: passwords, two-factor, 2FA, a lost phone, locked out, the sign-in email, usernames, inviting or removing teammates, admins, the owner, deleting a profile, personal data, GDPR, security alerts.
- other: everything else: feature ideas, the roadmap, dark mode, feedback, kudos, praise, partners, resellers, referral programs, press, journalists, jobs and hiring.

Answer with the team name only.
`;

describe('the support-agent example against the simulated model', () => {
  let model: SimulatedModel;
  let workspace: string;

  before(async () => {
    model = await startSimulatedModel();
    workspace = prepareExample('support-agent', path.join(tempDir(), 'support-agent'));
  });
  after(() => model.close());

  /** Runs the example's eval on a split in its two phases as aiai would (minus the gateway and the sandbox), returning what the grader wrote to $AIAI_METRICS_FILE. */
  async function evaluate(split: string): Promise<Report> {
    const outputs = tempDir();
    const metricsFile = path.join(tempDir(), 'metrics.json');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: 'stand-in', AIAI_OUTPUTS_DIR: outputs };
    await run(process.execPath, ['eval/run.mjs', split], { cwd: workspace, env: { ...env, AIAI_PHASE: 'run' } });
    await run(process.execPath, ['eval/grade.mjs', split], { cwd: workspace, env: { ...env, AIAI_PHASE: 'grade', AIAI_METRICS_FILE: metricsFile } });
    return JSON.parse(readFileSync(metricsFile, 'utf8')) as Report;
  }

  function setAgent(prompt: string | undefined, settings: Record<string, unknown>): void {
    if (prompt !== undefined) writeFileSync(path.join(workspace, 'agent', 'prompt.md'), prompt);
    const file = path.join(workspace, 'agent', 'settings.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(git(workspace, 'show', 'HEAD:agent/settings.json')), ...settings }, null, 2));
  }

  function restoreAgent(): void {
    git(workspace, 'checkout', '--', 'agent');
  }

  test('prepared as a clean git repository whose node_modules (a link, ignored by git) holds the SDK', () => {
    assert.equal(git(workspace, 'status', '--porcelain'), '');
    assert.equal(git(workspace, 'log', '--format=%s'), 'support-agent agent');
    assert.ok(!git(workspace, 'ls-files').split('\n').some((f) => f.startsWith('node_modules')));
    assert.ok(readFileSync(path.join(workspace, 'node_modules', '@anthropic-ai', 'sdk', 'package.json'), 'utf8').includes('"@anthropic-ai/sdk"'));
  });

  test('the starting prompt routes about half the train tickets; each case has its evidence and one tagged model call', async () => {
    const since = model.requests.length;
    const report = await evaluate('train');
    const { accuracy } = report.metrics;
    assert.ok(accuracy !== undefined && accuracy >= 0.35 && accuracy <= 0.6, `starting accuracy ${accuracy}`);
    assert.equal(report.metrics.concise, 0, 'the starting prompt does not ask for the team name alone, so the model rambles');
    assert.ok(!Object.keys(report.metrics).some((name) => name.startsWith('model.')), 'model.* metrics belong to the gateway');

    const routes = new Map((JSON.parse(readFileSync(path.join(workspace, 'eval', 'answers', 'train.json'), 'utf8')) as Array<{ id: string; route: string }>).map((a) => [a.id, a.route]));
    const tickets = (JSON.parse(readFileSync(path.join(workspace, 'eval', 'cases', 'train.json'), 'utf8')) as Array<{ id: string; subject: string }>).map((t) => ({ ...t, route: routes.get(t.id)! }));
    assert.equal(report.cases.length, tickets.length);
    for (const [i, c] of report.cases.entries()) {
      const ticket = tickets[i]!;
      assert.equal(c.id, ticket.id);
      assert.match(String(c.input), new RegExp(`^Subject: ${ticket.subject.replace(/[?$]/g, '\\$&')}`));
      assert.equal(c.expected, ticket.route);
      assert.equal(c.passed, c.output === ticket.route);
      assert.ok(TEAMS.includes(String(c.output)) || c.output === '(no team)', `output ${String(c.output)}`);
      // Every answer of the starting prompt is prose, which the grader marks down, and says so.
      assert.match(c.feedback ?? '', /tokens of prose where/);
      if (!c.passed) assert.match(c.feedback ?? '', new RegExp(`expected ${ticket.route}, got `));
    }
    assert.match(report.feedback ?? '', /SIMULATED model/);

    const calls = model.requests.slice(since);
    assert.equal(calls.length, tickets.length, 'one model call per case');
    assert.deepEqual(calls.map((r) => `${r.method} ${r.path}`), tickets.map(() => 'POST /v1/messages'));
    assert.deepEqual(calls.map((r) => r.headers['x-aiai-case']).sort(), tickets.map((t) => t.id).sort());
    const prompt = readFileSync(path.join(workspace, 'agent', 'prompt.md'), 'utf8');
    for (const call of calls) {
      assert.equal(call.body.system, prompt);
      assert.equal(call.body.model, 'claude-haiku-4-5');
      // The key of the eval's environment (SDK 1.x sends it as a bearer token, earlier ones as x-api-key).
      assert.match(String(call.headers['x-api-key'] ?? call.headers.authorization), /^(Bearer )?stand-in$/);
    }
  });

  test('a better prompt (team definitions, the name alone) routes clearly better, in fewer output tokens', async (t) => {
    t.after(restoreAgent);
    const start = await evaluate('train');
    setAgent(BETTER_PROMPT, {});
    const better = await evaluate('train');
    assert.ok(better.metrics.accuracy! >= 0.9, `better prompt: ${better.metrics.accuracy}`);
    assert.ok(better.metrics.accuracy! >= start.metrics.accuracy! + 0.35, `${start.metrics.accuracy} → ${better.metrics.accuracy}`);
    assert.equal(better.metrics.concise, 1);
    assert.ok(better.metrics.answer_tokens! < 5 && start.metrics.answer_tokens! > 40, `${start.metrics.answer_tokens} → ${better.metrics.answer_tokens} tokens an answer`);
    for (const c of better.cases.filter((c) => c.passed)) assert.equal(c.score, 1);
    const holdout = await evaluate('holdout');
    assert.ok(holdout.metrics.accuracy! >= 0.75, `better prompt on holdout: ${holdout.metrics.accuracy}`);
  });

  test('each knob moves accuracy: a cooler temperature, room for the answer, a stronger model', async (t) => {
    t.after(restoreAgent);
    const start = (await evaluate('train')).metrics;
    setAgent(undefined, { temperature: 0 });
    const cool = (await evaluate('train')).metrics;
    setAgent(undefined, { max_tokens: 128 });
    const room = (await evaluate('train')).metrics;
    setAgent(undefined, { model: 'claude-sonnet-4-6' });
    const strong = (await evaluate('train')).metrics;
    assert.ok(start.truncated! > 0.5 && room.truncated === 0, `cut off: ${start.truncated} at 64 tokens, ${room.truncated} at 128`);
    assert.ok(room.answer_tokens! > start.answer_tokens!, 'uncut answers are longer, so they cost more');
    for (const [name, moved] of Object.entries({ cool, room, strong })) {
      assert.ok(moved.accuracy! > start.accuracy!, `${name}: ${start.accuracy} → ${moved.accuracy}`);
    }
    assert.equal(model.requests.at(-1)?.body.model, 'claude-sonnet-4-6');
  });

  test('the same files get the same results', async () => {
    const first = await evaluate('smoke');
    const second = await evaluate('smoke');
    assert.deepEqual(second, first);
    assert.equal(first.metrics.accuracy, 1, 'the smoke tickets are easy');
  });

  test('through aiai: each eval of the loop calls the model via the gateway, in the sandbox, metered case by case, with a cost a person can weigh', async () => {
    const loopWorkspace = prepareExample('support-agent', path.join(tempDir(), 'support-agent'));
    const config = path.join(loopWorkspace, '.aiai', 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('"proposer": { "kind": "anthropic" }', '"proposer": { "kind": "parameter-search", "seed": 3 }').replace('"iterations": 10', '"iterations": 2'));
    commitAll(loopWorkspace, 'a seeded search of two candidates');
    const since = model.requests.length;
    const { ANTHROPIC_API_KEY: _key, ...withoutKey } = process.env;
    const summary = await runLoop(loopWorkspace, { env: { ...withoutKey, ANTHROPIC_BASE_URL: model.url }, signal: new AbortController().signal });
    assert.equal(summary.run.isolation, 'bubblewrap');
    const train = summary.run.baseline!.evals.find((e) => e.name === 'train')!;
    assert.equal(train.status, 'passed', train.reason);
    assert.equal(train.metrics['model.calls'], 24, 'one call a ticket');
    assert.ok(train.metrics['model.cost_usd']! > 0 && train.metrics['model.input_tokens']! > 0);
    assert.ok(train.cases.every((c) => c.model?.calls === 1), 'each ticket shows its own call');
    const calls = model.requests.slice(since);
    assert.equal(calls.length, summary.run.evalUsage?.calls, 'the run counted every call the upstream served');
    assert.ok(summary.candidates.length > 0);
  });

});

describe('the simulated model speaks the APIs', () => {
  let model: SimulatedModel;
  let client: Anthropic;
  const system = 'Route each ticket to billing, technical, account, refund or other. refund: money back. Answer with the team name only.';
  const ticket = 'Subject: Charged twice\n\nPlease give me my money back for the duplicate charge.';

  before(async () => {
    model = await startSimulatedModel();
    client = new Anthropic({ apiKey: 'stand-in', baseURL: model.url, maxRetries: 0 });
  });
  after(() => model.close());

  test('Messages API: create and a stream through the real SDK agree, with usage of a quarter token a character', async () => {
    const request = { model: 'claude-sonnet-4-6', max_tokens: 50, system, messages: [{ role: 'user' as const, content: ticket }] };
    const { data: created, response } = await client.messages.create(request).withResponse();
    assert.equal(response.headers.get('x-simulated-model'), 'true');
    assert.match(created.id, /^msg_sim_/);
    assert.equal(created.model, 'claude-sonnet-4-6');
    assert.deepEqual(created.content, [{ type: 'text', text: 'refund' }]);
    assert.equal(created.stop_reason, 'end_turn');
    const inputTokens = Math.ceil(system.length / 4) + Math.ceil(ticket.length / 4);
    assert.equal(created.usage.input_tokens, inputTokens);
    assert.equal(created.usage.output_tokens, 2);

    const same = await client.messages.stream(request).finalMessage();
    assert.deepEqual([same.content, same.stop_reason, same.usage, same.model], [created.content, created.stop_reason, created.usage, created.model], 'streamed, the same message');

    const stream = client.messages.stream({ ...request, system: 'You are a support assistant. Route tickets to billing, technical, account, refund or other.' });
    let streamed = '';
    stream.on('text', (text) => (streamed += text));
    const final = await stream.finalMessage();
    const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    assert.match(text, /^(Thanks|Thank you|Hello)\b/, 'without "name only" the model rambles');
    assert.equal(streamed, text);
    assert.match(final.id, /^msg_sim_/);
    assert.equal(final.stop_reason, 'max_tokens', 'a rambling answer is cut at max_tokens');
    assert.equal(text.length, 200);
    assert.deepEqual(final.usage, { ...created.usage, input_tokens: final.usage.input_tokens, output_tokens: 50 });
    assert.equal(model.requests.at(-1)!.body.stream, true);

    const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-6', system, messages: [{ role: 'user', content: ticket }] });
    assert.equal(counted.input_tokens, inputTokens);
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    assert.ok(models.includes('claude-haiku-4-5') && models.includes('claude-sonnet-4-6'));
  });

  test('OpenAI chat completions, whole and streamed with a usage chunk, by raw fetch', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: system }, { role: 'user', content: ticket }], temperature: 0 };
    const whole = await fetch(`${model.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer stand-in' }, body: JSON.stringify(body) });
    assert.equal(whole.headers.get('x-simulated-model'), 'true');
    const completion = (await whole.json()) as { model: string; choices: Array<{ message: { content: string }; finish_reason: string }>; usage: Record<string, number> };
    assert.equal(completion.model, 'gpt-4o-mini');
    assert.equal(completion.choices[0]!.message.content, 'refund');
    assert.equal(completion.choices[0]!.finish_reason, 'stop');
    const prompt = Math.ceil(system.length / 4) + Math.ceil(ticket.length / 4);
    assert.deepEqual(completion.usage, { prompt_tokens: prompt, completion_tokens: 2, total_tokens: prompt + 2 });

    const streamed = await fetch(`${model.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    });
    assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/);
    const lines = (await streamed.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    assert.equal(lines.at(-1), '[DONE]');
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage: Record<string, number> | null });
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
    assert.equal(chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join(''), 'refund');
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(chunks.at(-1)!.usage, completion.usage);
    assert.deepEqual(chunks.at(-1)!.choices, []);
  });

  test('a forced 429 or 529 fails the first request of its key, in the API’s error shape, and the next gets through', async () => {
    const headers = { 'x-simulate-status': '529', 'x-simulate-key': 'overload-1' };
    const request = { model: 'claude-haiku-4-5', max_tokens: 10, system, messages: [{ role: 'user' as const, content: ticket }] };
    await assert.rejects(client.messages.create(request, { headers }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError);
      assert.equal(error.status, 529);
      assert.equal(error.headers?.get('retry-after'), '0');
      const body = error.error as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'overloaded_error');
      assert.match(body.error.message, /x-simulate-status/);
      return true;
    });
    const retried = await client.messages.create(request, { headers });
    assert.deepEqual(retried.content, [{ type: 'text', text: 'refund' }]);

    const limited = await fetch(`${model.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-simulate-status': '429', 'x-simulate-key': 'limit-1' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: ticket }] }),
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '0');
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
  });
});
