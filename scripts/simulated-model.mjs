// A SIMULATED model on loopback: a stand-in for Claude (and for OpenAI-compatible
// chat models) when there is no API key, for the tests and `npm run demo -- support-agent`.
// It is not a language model. It routes support tickets, deterministically, by rules
// it reads from the system prompt, so that a better prompt really scores better.
//
//   node scripts/simulated-model.mjs [--port N]     prints the ANTHROPIC_BASE_URL to use; Ctrl-C stops it
//   import { startSimulatedModel } from './simulated-model.mjs'
//   const model = await startSimulatedModel({ port: 0 }); … model.requests … await model.close();
//
// What it speaks (any path prefix is accepted, so /v1/messages and /anthropic/v1/messages both work):
//   POST /v1/messages               Anthropic Messages API, JSON or "stream": true (server-sent events)
//   POST /v1/messages/count_tokens  {"input_tokens": n}
//   GET  /v1/models                 a list page: Anthropic's shape when the request has anthropic-version, else OpenAI's
//   POST /v1/chat/completions       OpenAI-compatible, JSON or "stream": true (data: chunks, then data: [DONE];
//                                   a usage chunk when stream_options.include_usage is true)
// Every answer carries the header `x-simulated-model: true`; Anthropic message ids start with
// msg_sim_, OpenAI ones with chatcmpl-sim-. The model in an answer is the model asked for.
// Tokens are ceil(characters / 4): of the system prompt and messages for input, of the answer for output.
// Keys are not checked. Every request is recorded in `requests` (method, path, headers, parsed body).
//
// Slowing an answer (for tests): a request with `x-simulate-delay-ms: N` is answered N ms later
// (10 s at most); `mostInFlight` is the most requests it has held at once.
//
// Forcing an error (for tests): a request with the header `x-simulate-status: 429` (or 529, 500, any
// 4xx/5xx) is answered with that status, `retry-after: 0` and an error body in the API's own shape.
// With `x-simulate-key: K` only the first request carrying K fails and later ones succeed (a retry
// gets through); without it, every such request fails.
//
// How it answers (the "model"), so that prompt engineering pays off:
//   - The routes are those of billing, technical, account, refund and other that the system prompt
//     names; a prompt that names none gets a short note saying the simulated model only routes tickets.
//   - Each route scores the ticket (the last user message) by the words (stems) it shares with an
//     innate, naive lexicon ("charged" → billing, "login" → account, …; the sonnet and opus lines know
//     a few more words than haiku) and with the prompt's own sentences about that route. A sentence
//     (or the rest of a list item) that names one route, not negated ("…, not account"), teaches that
//     route its words, and the route its own name; words after "even if" / "regardless of" do not
//     count; a sentence with "always", "even if", "regardless", "priority" or "precedence" counts
//     double; one that lists three or more routes teaches nothing. Once the prompt teaches anything,
//     the innate lexicon counts half.
//   - temperature (0..1; OpenAI's 0..2 is halved) flips a close call to the runner-up route, more
//     often the closer the call, and makes prose wander (a longer answer); haiku also slips on close
//     calls more than sonnet, and opus least. These are pseudo-random, seeded by a hash of the
//     prompt and the conversation: the same request always gets the same answer.
//   - If the prompt asks for the route name only ("answer with the team name only", "one word",
//     "nothing else", …) the answer is the route's name; otherwise it rambles politely, echoing the
//     ticket's first sentence and naming a close runner-up before its decision.
//   - An answer longer than max_tokens is cut there, with stop_reason "max_tokens" ("length" for OpenAI);
//     stop_sequences (OpenAI: stop) end it early with stop_reason "stop_sequence".
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { pathToFileURL } from 'node:url';

export const ROUTES = ['billing', 'technical', 'account', 'refund', 'other'];

// What the model "knows" without being told: surface cues, some of them misleading. The
// sonnet and opus lines know a little more than haiku.
const NAIVE = {
  billing: { bill: 1, billing: 1, charge: 1, charged: 1, invoice: 1, payment: 1, pay: 1, paid: 1, price: 1, receipt: 1, card: 0.5, cost: 0.5, plan: 0.5, subscription: 0.5 },
  technical: { error: 1, crash: 1, crashes: 1, bug: 1, broken: 1, slow: 1, api: 1, sync: 1, server: 0.5, app: 0.5, down: 0.5 },
  account: { login: 1, password: 1, account: 1, access: 1, locked: 1, email: 0.5, sign: 0.5 },
  refund: { refund: 1.5 },
  other: {},
};
const WISER = {
  billing: {},
  technical: { webhook: 1, outage: 0.5, export: 0.5, upload: 0.5, integration: 0.5, loading: 0.5 },
  account: { owner: 1, gdpr: 1, '2fa': 1, factor: 1, teammate: 0.5, invite: 0.5 },
  refund: { reimburse: 1, compensation: 1, reversed: 1, duplicate: 0.5, twice: 0.5 },
  other: { feature: 1, roadmap: 1, partner: 1, hiring: 1, journalist: 1, kudos: 1 },
};

const STOPWORDS = new Set(
  (
    'a an the and or but if when whenever then than that this these those is are was were be been being it its ' +
    'they them their there here of to in on at by for from with without about as into over under any all some such ' +
    'so not no never only also even always just which who what where how why do does did done has have had can could ' +
    'should would will may might must you your we our us i me my he she his her ticket tickets customer customers ' +
    'route routes routed routing team teams answer answers reply respond word words name label category categories ' +
    'queue e g eg etc like ask asks asking want wants mention mentions mentioning goes go belong belongs handle handles ' +
    'use used read decide tell pick choose one two something anything else thing things issue issues question questions ' +
    'problem problems help request requests case cases example examples'
  ).split(' '),
);
const OVERRIDDEN = /\b(?:even if|even when|even though|regardless of|whether or not|no matter)\b/i;
const STRONG = /\b(always|even if|even when|even though|regardless|priority|precedence|takes? precedence|overrides?)\b/i;
const NEGATION = /\b(not|never|no|isn't|aren't|instead of|rather than)\s+(?:an?\s+|the\s+)?$/i;
const TERSE = [
  /\b(route|team|category|label|queue)(\s+name)?\s+only\b/i,
  /\bonly\s+(?:with\s+)?(?:the\s+|one\s+|a\s+|its\s+)?(?:single\s+)?(route|team|category|label|queue|word|name)\b/i,
  /\b(one|single)[-\s]word\b/i,
  /\bnothing else\b/i,
  /\bno (explanation|other text|extra text|prose|commentary)\b/i,
  /\bdo not explain\b|\bdon't explain\b/i,
];

/** A word's stem: lower case, common endings dropped, at most 6 letters ("charged", "charges" → "charg"). */
export function stem(word) {
  let w = word.toLowerCase().replace(/'s$/, '');
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w.slice(0, 6);
}

function words(text) {
  return text.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

function lexicon(...layers) {
  return Object.fromEntries(
    ROUTES.map((route) => {
      const stems = {};
      for (const layer of layers) for (const [word, weight] of Object.entries(layer[route])) stems[stem(word)] = Math.max(stems[stem(word)] ?? 0, weight);
      return [route, stems];
    }),
  );
}
const HAIKU_LEXICON = lexicon(NAIVE);
const WISER_LEXICON = lexicon(NAIVE, WISER);

const STOPSTEMS = new Set([...STOPWORDS].map(stem));

/** A number in [0, 1) from a hash of the parts. */
function unit(...parts) {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

/** What the system prompt teaches: the routes it names (in order), their keywords, whether it wants the name only. */
export function readPrompt(system) {
  const order = [];
  for (const m of system.toLowerCase().matchAll(/\b(billing|technical|account|refund|other)\b/g)) if (!order.includes(m[1])) order.push(m[1]);
  const keywords = Object.fromEntries(ROUTES.map((r) => [r, new Map()]));
  for (const line of system.split('\n')) {
    let owner;
    for (const sentence of line.split(/(?<=[.!?;])\s+/)) {
      const mentioned = [];
      const named = [];
      for (const m of sentence.matchAll(/\b(billing|technical|account|refund|other)\b/gi)) {
        const route = m[1].toLowerCase();
        if (!mentioned.includes(route)) mentioned.push(route);
        if (!NEGATION.test(sentence.slice(Math.max(0, m.index - 16), m.index)) && !named.includes(route)) named.push(route);
      }
      if (mentioned.length >= 3) {
        owner = undefined; // a listing of the routes teaches nothing
        continue;
      }
      if (named.length > 0) owner = named[0];
      if (!owner) continue;
      const weight = STRONG.test(sentence) ? 2 : 1;
      // What follows "even if" names what the rule overrides: not the route's words.
      for (const word of words(sentence.split(OVERRIDDEN)[0])) {
        if (STOPWORDS.has(word) || STOPSTEMS.has(stem(word)) || ROUTES.includes(word)) continue;
        const s = stem(word);
        keywords[owner].set(s, Math.max(keywords[owner].get(s) ?? 0, weight));
      }
    }
  }
  // A route the prompt defines is also recognised by its own name in a ticket ("refund", "billing").
  for (const route of ROUTES) if (route !== 'other' && keywords[route].size > 0) keywords[route].set(stem(route), Math.max(keywords[route].get(stem(route)) ?? 0, 1));
  return { routes: order, keywords, terse: TERSE.some((re) => re.test(system)) };
}

function tier(model) {
  const m = String(model).toLowerCase();
  if (/opus/.test(m)) return { slip: 0.01, lexicon: WISER_LEXICON };
  if (/haiku|mini|nano|small|flash|lite/.test(m)) return { slip: 0.15, lexicon: HAIKU_LEXICON };
  return { slip: 0.04, lexicon: WISER_LEXICON };
}

/**
 * The simulated model's answer to a system prompt and conversation: the text, before
 * max_tokens and stop sequences are applied.
 */
export function simulate({ model, system, messages, temperature }) {
  const ticket = [...messages].reverse().find((m) => m.role === 'user')?.text ?? '';
  const prompt = readPrompt(system);
  if (prompt.routes.length === 0) {
    return 'This is a simulated model: it only routes support tickets to billing, technical, account, refund or other, and this prompt names none of those routes.';
  }
  const stems = new Set(words(ticket).map(stem));
  // A model told what the routes mean leans on that more than on its own hunches.
  const instructed = Object.values(prompt.keywords).some((k) => k.size > 0);
  const { slip, lexicon: innate } = tier(model);
  const scores = prompt.routes.map((route) => {
    let score = 0;
    for (const s of stems) score += (innate[route][s] ?? 0) * (instructed ? 0.5 : 1) + (prompt.keywords[route].get(s) ?? 0);
    return { route, score };
  });
  // Best first; a tie goes to the route the prompt names first.
  const ranked = [...scores].sort((a, b) => b.score - a.score);
  let best = ranked[0];
  let second = ranked[1];
  if (best.score === 0 && prompt.routes.includes('other')) {
    best = { route: 'other', score: 0 };
    second = ranked.find((r) => r.route !== 'other');
  }
  const seed = [system, messages.map((m) => `${m.role}:${m.text}`).join('\n')];
  const t = Math.min(Math.max(Number(temperature ?? 1), 0), 1);
  let route = best.route;
  if (second) {
    const closeness = Math.exp(-2 * (best.score - second.score));
    if (unit('temperature', ...seed) < t * 0.5 * closeness || unit('model', ...seed) < slip * closeness) route = second.route;
  }
  if (prompt.terse) return route;
  const runnerUp = route === best.route ? second : best;
  const opening = ['Thanks for reaching out!', 'Thank you for contacting us.', 'Hello, and thanks for writing in.'][Math.floor(unit('opening', ticket) * 3)];
  const echo = (ticket.split(/(?<=[.!?])\s/)[0] ?? '').replace(/\s+/g, ' ').trim().split(' ').slice(0, 40).join(' ');
  // A warmer temperature wanders: an extra sentence before the decision.
  const wander = unit('wander', ...seed) < t * 0.6 ? 'I have read your message twice to be sure I understand what happened. ' : '';
  const doubt = runnerUp && runnerUp.score > 0 && runnerUp.score >= 0.5 * Math.max(best.score, 0.01) ? `Parts of it sound like ${/^[aeiou]/.test(runnerUp.route) ? 'an' : 'a'} ${runnerUp.route} matter, but ` : '';
  const decision = `${doubt ? 'a' : 'A'}fter reading it carefully, I would send this ticket to the ${route} team.`;
  return `${opening} You wrote: "${echo}" ${wander}${doubt}${decision} They usually reply within one business day. Let me know if there is anything else I can do for you!`;
}

/** Tokens of a text: a quarter of its characters, rounded up. */
export function tokens(text) {
  return Math.ceil(text.length / 4);
}

/** The answer cut to max_tokens and at the first stop sequence. */
function finish(answer, maxTokens, stops) {
  let text = answer;
  let stop = null;
  for (const s of stops) {
    const at = typeof s === 'string' && s ? text.indexOf(s) : -1;
    if (at >= 0) {
      text = text.slice(0, at);
      stop = s;
    }
  }
  if (Number.isFinite(maxTokens) && tokens(text) > maxTokens) return { text: text.slice(0, Math.max(0, maxTokens) * 4), reason: 'max_tokens', stop: null };
  return { text, reason: stop === null ? 'end_turn' : 'stop_sequence', stop };
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part?.text === 'string' ? part.text : typeof part?.content === 'string' || Array.isArray(part?.content) ? textOf(part.content) : ''))
    .join('\n');
}

const ANTHROPIC_ERRORS = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error' };
const OPENAI_ERRORS = { 400: 'invalid_request_error', 401: 'invalid_api_key', 403: 'permission_denied', 404: 'model_not_found', 429: 'rate_limit_exceeded' };

// The list GET /v1/models answers (display names say "simulated"); any other model id is answered too.
const MODELS = [
  { id: 'claude-opus-5-5', name: 'Claude Opus 5.5', created: '2026-09-01T00:00:00Z' },
  { id: 'claude-sonnet-5-5', name: 'Claude Sonnet 5.5', created: '2026-09-01T00:00:00Z' },
  { id: 'claude-haiku-5-5', name: 'Claude Haiku 5.5', created: '2026-09-01T00:00:00Z' },
  { id: 'claude-opus-4-6', name: 'Claude Opus 4.6', created: '2026-02-05T00:00:00Z' },
  { id: 'claude-sonnet-4-6', name: 'Claude Sonnet 4.6', created: '2026-02-17T00:00:00Z' },
  { id: 'claude-haiku-4-5', name: 'Claude Haiku 4.5', created: '2025-10-15T00:00:00Z' },
];

export async function startSimulatedModel({ port = 0, host = '127.0.0.1' } = {}) {
  const requests = [];
  const stats = { mostInFlight: 0 };
  let inFlight = 0;
  const failedKeys = new Set();
  let counter = 0;
  const id = (prefix, body) => `${prefix}${createHash('sha256').update(`${++counter}\u0000${body}`).digest('hex').slice(0, 24)}`;

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = null;
      }
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body });
      inFlight++;
      stats.mostInFlight = Math.max(stats.mostInFlight, inFlight);
      res.on('close', () => inFlight--);
      const answer = () => {
        try {
          handle(req, res, raw, body);
        } catch (error) {
          send(res, 500, { type: 'error', error: { type: 'api_error', message: `simulated model: ${error?.message ?? error}` } });
        }
      };
      const delay = Number(req.headers['x-simulate-delay-ms']);
      if (Number.isFinite(delay) && delay > 0) setTimeout(answer, Math.min(delay, 10_000));
      else answer();
    });
  });

  function send(res, status, json, extra = {}) {
    const text = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/json', 'x-simulated-model': 'true', 'request-id': id('req_sim_', text), ...extra });
    res.end(text);
  }

  function fail(res, api, status, message) {
    const extra = status === 429 || status >= 500 ? { 'retry-after': '0' } : {};
    if (api === 'openai') {
      const type = OPENAI_ERRORS[status] ?? 'server_error';
      send(res, status, { error: { message, type: status === 429 ? 'requests' : type, param: null, code: type } }, extra);
    } else {
      send(res, status, { type: 'error', error: { type: ANTHROPIC_ERRORS[status] ?? 'api_error', message }, request_id: id('req_sim_', message) }, extra);
    }
  }

  function events(res) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-simulated-model': 'true', 'request-id': id('req_sim_', 'stream') });
  }

  function pieces(text) {
    const parts = text.match(/\S+\s*|\s+/g) ?? [];
    const out = [];
    for (let i = 0; i < parts.length; i += 3) out.push(parts.slice(i, i + 3).join(''));
    return out;
  }

  function handle(req, res, raw, body) {
    const pathname = new URL(req.url ?? '/', 'http://simulated').pathname.replace(/\/+$/, '');
    const api = pathname.endsWith('/chat/completions') || (pathname.endsWith('/models') && !req.headers['anthropic-version']) ? 'openai' : 'anthropic';

    const forced = Number(req.headers['x-simulate-status']);
    if (Number.isInteger(forced) && forced >= 400 && forced <= 599) {
      const key = req.headers['x-simulate-key'];
      if (key === undefined || !failedKeys.has(String(key))) {
        if (key !== undefined) failedKeys.add(String(key));
        return fail(res, api, forced, `simulated ${forced}, as the request's x-simulate-status asked`);
      }
    }

    if (req.method === 'GET' && pathname.endsWith('/models')) return listModels(req, res, api);
    if (req.method === 'GET' && /\/models\/[^/]+$/.test(pathname) && api === 'anthropic') {
      const model = MODELS.find((m) => pathname.endsWith(`/${m.id}`));
      return model ? send(res, 200, anthropicModel(model)) : fail(res, api, 404, `model: ${pathname.split('/').pop()}`);
    }
    if (req.method !== 'POST') return fail(res, api, 404, `the simulated model has no ${req.method} ${pathname}`);
    if (body === null || typeof body !== 'object') return fail(res, api, 400, raw ? 'the body is not valid JSON' : 'the body is empty');
    if (pathname.endsWith('/messages/count_tokens')) {
      const conversation = anthropicConversation(body);
      if (typeof conversation === 'string') return fail(res, api, 400, conversation);
      return send(res, 200, { input_tokens: inputTokens(conversation) });
    }
    if (pathname.endsWith('/messages')) return messages(res, body);
    if (pathname.endsWith('/chat/completions')) return chat(res, body);
    return fail(res, api, 404, `the simulated model has no POST ${pathname}`);
  }

  function anthropicModel(m) {
    return {
      type: 'model',
      id: m.id,
      display_name: `${m.name} (simulated)`,
      created_at: m.created,
      capabilities: null,
      deprecated_at: null,
      lifecycle: 'active',
      line: null,
      max_input_tokens: 200000,
      max_tokens: 64000,
      retires_at: null,
    };
  }

  function listModels(req, res, api) {
    if (api === 'openai') {
      return send(res, 200, { object: 'list', data: MODELS.map((m) => ({ id: m.id, object: 'model', created: Date.parse(m.created) / 1000, owned_by: 'simulated' })) });
    }
    const url = new URL(req.url ?? '/', 'http://simulated');
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20) || 20, 1), 1000);
    const after = url.searchParams.get('after_id');
    const start = after ? MODELS.findIndex((m) => m.id === after) + 1 : 0;
    const page = MODELS.slice(start, start + limit).map(anthropicModel);
    send(res, 200, { data: page, has_more: start + limit < MODELS.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null });
  }

  /** The conversation of a Messages request as text, or why the request is invalid. */
  function anthropicConversation(body) {
    if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
    const system = typeof body.system === 'string' ? body.system : textOf(body.system ?? []);
    return { model: body.model, system, messages: body.messages.map((m) => ({ role: m.role, text: textOf(m.content) })) };
  }

  function inputTokens(conversation) {
    return tokens(conversation.system) + conversation.messages.reduce((n, m) => n + tokens(m.text), 0);
  }

  function messages(res, body) {
    const conversation = anthropicConversation(body);
    if (typeof conversation === 'string') return fail(res, 'anthropic', 400, conversation);
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return fail(res, 'anthropic', 400, 'max_tokens: Field required (a positive integer)');
    if (body.temperature !== undefined && !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 1)) {
      return fail(res, 'anthropic', 400, 'temperature: Input should be less than or equal to 1');
    }
    const answer = simulate({ ...conversation, temperature: body.temperature });
    const { text, reason, stop } = finish(answer, body.max_tokens, Array.isArray(body.stop_sequences) ? body.stop_sequences : []);
    const usage = { input_tokens: inputTokens(conversation), cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: tokens(text) };
    const messageId = id('msg_sim_', JSON.stringify(body));
    if (!body.stream) {
      return send(res, 200, { id: messageId, type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text }], stop_reason: reason, stop_sequence: stop, usage });
    }
    events(res);
    const event = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    event('message_start', {
      message: { id: messageId, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    });
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    event('ping', {});
    for (const piece of pieces(text)) event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
    event('content_block_stop', { index: 0 });
    event('message_delta', { delta: { stop_reason: reason, stop_sequence: stop }, usage: { output_tokens: usage.output_tokens } });
    event('message_stop', {});
    res.end();
  }

  function chat(res, body) {
    if (typeof body.model !== 'string' || !body.model) return fail(res, 'openai', 400, 'you must provide a model parameter');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return fail(res, 'openai', 400, "'messages' must contain at least one message");
    const system = body.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n');
    const rest = body.messages.filter((m) => m.role !== 'system' && m.role !== 'developer').map((m) => ({ role: m.role, text: textOf(m.content) }));
    const conversation = { model: body.model, system, messages: rest };
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    // OpenAI's temperature runs from 0 to 2 (default 1); the simulation's from 0 to 1.
    const answer = simulate({ ...conversation, temperature: (typeof body.temperature === 'number' ? body.temperature : 1) / 2 });
    const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
    const { text, reason } = finish(answer, typeof maxTokens === 'number' ? maxTokens : Infinity, stops);
    const finishReason = reason === 'max_tokens' ? 'length' : 'stop';
    const prompt = inputTokens(conversation);
    const usage = { prompt_tokens: prompt, completion_tokens: tokens(text), total_tokens: prompt + tokens(text) };
    const base = { id: id('chatcmpl-sim-', JSON.stringify(body)), created: Math.floor(Date.now() / 1000), model: body.model, system_fingerprint: null };
    if (!body.stream) {
      return send(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finishReason }],
        usage,
      });
    }
    const withUsage = body.stream_options?.include_usage === true;
    events(res);
    const chunk = (choices, extra = {}) => res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...(withUsage ? { usage: null } : {}), ...extra })}\n\n`);
    chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    for (const piece of pieces(text)) chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]);
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
    if (withUsage) chunk([], { usage });
    res.write('data: [DONE]\n\n');
    res.end();
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    requests,
    get mostInFlight() {
      return stats.mostInFlight;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node scripts/simulated-model.mjs [--port N]');
    process.exit(2);
  }
  // No top-level await: the tests' loader turns this file into CommonJS.
  startSimulatedModel({ port }).then((model) => {
    console.log(`SIMULATED model (not a real one) listening on ${model.url}

  ANTHROPIC_BASE_URL=${model.url}
  OPENAI_BASE_URL=${model.url}/v1

Any API key is accepted. Ctrl-C stops it.`);
    const stop = () => model.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
