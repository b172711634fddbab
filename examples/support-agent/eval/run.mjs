// Grades the support agent on one split of labelled tickets: node eval/run.mjs <smoke|train|holdout>
// Runs the agent once per ticket (a few at a time), then writes {"metrics", "cases", "feedback"}
// to $AIAI_METRICS_FILE (aiai's metrics contract) and prints a summary.
//
// A case passes when the agent routes the ticket to the right team. Its score is 1 for the
// right team named alone, 0.5 for the right team inside prose (the grader penalises rambling:
// it costs output tokens, and a long answer can name the wrong team first or be cut off).
// Each case carries its evidence (the ticket, the right team, the agent's team, the model's answer
// and a line of feedback), which a model proposer reads to diagnose failures.
import { readFileSync, writeFileSync } from 'node:fs';

const TEAMS = ['billing', 'technical', 'account', 'refund', 'other'];
const CONCURRENCY = 4;

const split = process.argv[2] ?? 'train';
if (!['smoke', 'train', 'holdout'].includes(split)) {
  console.error(`usage: node eval/run.mjs <smoke|train|holdout> (not "${split}")`);
  process.exit(2);
}
if (!process.env.ANTHROPIC_API_KEY && !process.env.ANTHROPIC_AUTH_TOKEN) {
  console.error(
    'ANTHROPIC_API_KEY is not set. Under aiai the model gateway sets it; by hand, set your key, or start the ' +
      'simulated model (node scripts/simulated-model.mjs in the aiai repository) and set ANTHROPIC_BASE_URL to it and ANTHROPIC_API_KEY to anything.',
  );
  process.exit(2);
}

const { routeTicket } = await import('../agent/agent.mjs');
const tickets = JSON.parse(readFileSync(new URL(`./cases/${split}.json`, import.meta.url), 'utf8'));

const results = new Array(tickets.length);
let next = 0;
async function worker() {
  while (next < tickets.length) {
    const i = next++;
    try {
      results[i] = { ok: true, ...(await routeTicket(tickets[i])) };
    } catch (error) {
      results[i] = { ok: false, error: String(error?.message ?? error).slice(0, 300) };
    }
  }
}
await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tickets.length) }, worker));

const named = (answer) => TEAMS.filter((t) => new RegExp(`\\b${t}\\b`, 'i').test(answer)).sort((a, b) => answer.toLowerCase().search(new RegExp(`\\b${a}\\b`)) - answer.toLowerCase().search(new RegExp(`\\b${b}\\b`)));
// About as many tokens as a quarter of the characters.
const tokens = (text) => Math.ceil(text.length / 4);
const isConcise = (answer) => TEAMS.includes(answer.trim().replace(/[.!"'`*]+$/g, '').replace(/^["'`*]+/, '').toLowerCase());
const excerpt = (text) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);

const cases = tickets.map((ticket, i) => {
  const result = results[i];
  const input = `Subject: ${ticket.subject}\n\n${ticket.body}`;
  if (!result.ok) {
    return { id: ticket.id, passed: false, score: 0, input, expected: ticket.route, output: '(no answer)', feedback: `the model call failed: ${result.error}` };
  }
  const answer = typeof result.answer === 'string' ? result.answer : '';
  const route = typeof result.route === 'string' ? result.route : null;
  const passed = route === ticket.route;
  const concise = isConcise(answer);
  const truncated = result.stopReason === 'max_tokens';
  const teams = named(answer);
  const notes = [];
  if (!passed) notes.push(`expected ${ticket.route}, got ${route ?? 'no team'}${teams.length > 1 ? ` (the answer names ${teams.join(', then ')})` : ''}`);
  if (truncated) notes.push(`cut off at max_tokens${route ? '' : ' before naming a team'}`);
  if (!concise) notes.push(`${passed ? 'right team, but ' : ''}about ${tokens(answer)} tokens of prose where the team's name alone would do: "${excerpt(answer)}"`);
  return {
    id: ticket.id,
    passed,
    score: passed ? (concise ? 1 : 0.5) : 0,
    input,
    expected: ticket.route,
    output: route ?? '(no team)',
    ...(notes.length ? { feedback: notes.join('; ') } : {}),
  };
});

const share = (items, test) => (items.length ? items.filter(test).length / items.length : 0);
const answered = results.filter((r) => r.ok);
const metrics = {
  accuracy: share(cases, (c) => c.passed),
  quality: cases.reduce((n, c) => n + c.score, 0) / Math.max(cases.length, 1),
  concise: share(answered, (r) => isConcise(String(r.answer ?? ''))),
  truncated: share(answered, (r) => r.stopReason === 'max_tokens'),
  answer_tokens: answered.reduce((n, r) => n + tokens(String(r.answer ?? '')), 0) / Math.max(answered.length, 1),
  failed_calls: results.length - answered.length,
};

const confusions = new Map();
for (const c of cases.filter((c) => !c.passed)) confusions.set(`${c.expected} → ${c.output}`, (confusions.get(`${c.expected} → ${c.output}`) ?? 0) + 1);
const lines = [
  confusions.size
    ? `most common mistakes (expected → got): ${[...confusions].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ')}`
    : 'every ticket was routed to the right team',
];
if (answered.length && metrics.concise < 1) lines.push(`${Math.round((1 - metrics.concise) * answered.length)} of ${answered.length} answers were prose rather than a team's name`);
if (metrics.truncated > 0) lines.push(`${Math.round(metrics.truncated * answered.length)} answers were cut off at max_tokens`);
if (answered.some((r) => r.simulated)) {
  lines.push('the answers came from the SIMULATED model (scripts/simulated-model.mjs in the aiai repository), not from a real Claude model');
}
const feedback = lines.join('; ');

if (process.env.AIAI_METRICS_FILE) writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics, cases, feedback }));
console.log(`${split}: ${cases.filter((c) => c.passed).length}/${cases.length} routed right${answered.some((r) => r.simulated) ? ' (SIMULATED model)' : ''}`);
console.log(feedback);
if (answered.length === 0) {
  console.error(`every model call failed; the first: ${results[0]?.error}`);
  process.exit(1);
}
console.log(JSON.stringify(metrics));
