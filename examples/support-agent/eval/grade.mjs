// Grades the support agent's answers on one split: node eval/grade.mjs <smoke|train|holdout>
// The second phase of a two-phase eval: aiai runs it apart from the agent (whose code is not there),
// on what eval/run.mjs wrote to $AIAI_OUTPUTS_DIR/results.jsonl, against the right teams in
// eval/answers/<split>.json, which the agent's run never sees. So the agent can neither read the
// answers nor write its own score. It writes {"metrics", "cases", "feedback"} to $AIAI_METRICS_FILE
// (aiai's metrics contract) and prints a summary.
//
// A case passes when the agent routes the ticket to the right team. Its score is 1 for the
// right team named alone, 0.5 for the right team inside prose (the grader penalises rambling:
// it costs output tokens, and a long answer can name the wrong team first or be cut off).
// Each case carries its evidence (the ticket, the right team, the agent's team, the model's answer
// and a line of feedback), which a model proposer reads to diagnose failures.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const TEAMS = ['billing', 'technical', 'account', 'refund', 'other'];
const SPLITS = ['smoke', 'train', 'holdout'];

const split = process.argv[2] ?? 'train';
if (!SPLITS.includes(split)) {
  console.error(`usage: node eval/grade.mjs <${SPLITS.join('|')}> (not "${split}")`);
  process.exit(2);
}
const outputs = process.env.AIAI_OUTPUTS_DIR;
if (!outputs) {
  console.error('AIAI_OUTPUTS_DIR is not set: the folder eval/run.mjs wrote the agent\'s answers into.');
  process.exit(2);
}

const tickets = new Map(JSON.parse(readFileSync(new URL(`./cases/${split}.json`, import.meta.url), 'utf8')).map((t) => [t.id, t]));
const expected = JSON.parse(readFileSync(new URL(`./answers/${split}.json`, import.meta.url), 'utf8'));

// What the run gave for each ticket: the first line with its id. Anything else in the file
// (lines that are not JSON, tickets not asked about) is ignored.
const resultsFile = path.join(outputs, 'results.jsonl');
const given = new Map();
let unreadable = 0;
const wrote = existsSync(resultsFile);
if (wrote) {
  for (const line of readFileSync(resultsFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let row;
    try {
      row = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    if (row === null || typeof row !== 'object' || typeof row.id !== 'string') unreadable++;
    else if (!given.has(row.id)) given.set(row.id, row);
  }
}
if (!wrote) console.error(`the run wrote no ${resultsFile}: no ticket has an answer`);
if (unreadable) console.error(`${unreadable} lines of ${resultsFile} were not JSON with an "id" and were ignored`);
const results = expected.map(({ id }) => {
  const row = given.get(id);
  if (!row) return { ok: false, missing: true };
  return row.ok === true ? row : { ok: false, error: typeof row.error === 'string' ? row.error : 'no error given' };
});

const named = (answer) => TEAMS.filter((t) => new RegExp(`\\b${t}\\b`, 'i').test(answer)).sort((a, b) => answer.toLowerCase().search(new RegExp(`\\b${a}\\b`)) - answer.toLowerCase().search(new RegExp(`\\b${b}\\b`)));
// About as many tokens as a quarter of the characters.
const tokens = (text) => Math.ceil(text.length / 4);
const isConcise = (answer) => TEAMS.includes(answer.trim().replace(/[.!"'`*]+$/g, '').replace(/^["'`*]+/, '').toLowerCase());
const excerpt = (text) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);

const cases = expected.map(({ id, route: right }, i) => {
  const ticket = tickets.get(id);
  if (!ticket) throw new Error(`eval/answers/${split}.json names ticket ${id}, which eval/cases/${split}.json does not hold`);
  const result = results[i];
  const input = `Subject: ${ticket.subject}\n\n${ticket.body}`;
  if (result.missing) {
    return { id, passed: false, score: 0, input, expected: right, output: '(no answer)', feedback: 'the run wrote no answer for this ticket' };
  }
  if (!result.ok) {
    return { id, passed: false, score: 0, input, expected: right, output: '(no answer)', feedback: `the model call failed: ${result.error}` };
  }
  const answer = typeof result.answer === 'string' ? result.answer : '';
  const route = typeof result.route === 'string' ? result.route : null;
  const passed = route === right;
  const concise = isConcise(answer);
  const truncated = result.stopReason === 'max_tokens';
  const teams = named(answer);
  const notes = [];
  if (!passed) notes.push(`expected ${right}, got ${route ?? 'no team'}${teams.length > 1 ? ` (the answer names ${teams.join(', then ')})` : ''}`);
  if (truncated) notes.push(`cut off at max_tokens${route ? '' : ' before naming a team'}`);
  if (!concise) notes.push(`${passed ? 'right team, but ' : ''}about ${tokens(answer)} tokens of prose where the team's name alone would do: "${excerpt(answer)}"`);
  return {
    id,
    passed,
    score: passed ? (concise ? 1 : 0.5) : 0,
    input,
    expected: right,
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
if (!wrote) lines.unshift("the agent's run wrote no answers (results.jsonl)");
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
  const first = results[0];
  console.error(first?.missing ? 'the run wrote no answer for any ticket' : `every model call failed; the first: ${first?.error}`);
  process.exit(1);
}
console.log(JSON.stringify(metrics));
