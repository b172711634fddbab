// Runs the support agent on one split's tickets: node eval/run.mjs <smoke|train|holdout>
// The first phase of a two-phase eval. It reads the tickets of eval/cases/<split>.json (id, subject,
// body), never the team each should go to (eval/answers, absent while it runs), runs the agent once
// per ticket (a few at a time) and writes what each call gave to $AIAI_OUTPUTS_DIR/results.jsonl, one
// line a ticket: {"id", "ok": true, "route", "answer", "stopReason", "simulated"}, or {"id", "ok": false,
// "error"} when the call failed. eval/grade.mjs then grades that file, apart from the agent's code.
//
// The agent tags each model call with its ticket's id (the header x-aiai-case), so aiai's model gateway
// shows each case's calls, tokens and cost beside it, and meters the eval's model.* metrics.
// By hand: export AIAI_OUTPUTS_DIR=$(mktemp -d); node eval/run.mjs train && node eval/grade.mjs train
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const CONCURRENCY = 4;
const SPLITS = ['smoke', 'train', 'holdout'];

const split = process.argv[2] ?? 'train';
if (!SPLITS.includes(split)) {
  console.error(`usage: node eval/run.mjs <${SPLITS.join('|')}> (not "${split}")`);
  process.exit(2);
}
const outputs = process.env.AIAI_OUTPUTS_DIR;
if (!outputs) {
  console.error('AIAI_OUTPUTS_DIR is not set: the folder this run writes the agent\'s answers into. aiai sets it; by hand, ' +
    'export AIAI_OUTPUTS_DIR=$(mktemp -d), then node eval/run.mjs <split> && node eval/grade.mjs <split>.');
  process.exit(2);
}
if (!process.env.ANTHROPIC_API_KEY && !process.env.ANTHROPIC_AUTH_TOKEN) {
  console.error(
    'ANTHROPIC_API_KEY is not set. Under aiai the model gateway sets it; by hand, set your key, or start the ' +
      'simulated model (node scripts/simulated-model.mjs in the aiai repository) and set ANTHROPIC_BASE_URL to it and ANTHROPIC_API_KEY to anything.',
  );
  process.exit(2);
}
const file = new URL(`./cases/${split}.json`, import.meta.url);
if (!existsSync(file)) {
  console.error(`eval/cases/${split}.json is absent: under aiai, the holdout's tickets are there only while the holdout eval runs ("data" in .aiai/config.json).`);
  process.exit(2);
}

const { routeTicket } = await import('../agent/agent.mjs');
const tickets = JSON.parse(readFileSync(file, 'utf8'));

const results = new Array(tickets.length);
let next = 0;
async function worker() {
  while (next < tickets.length) {
    const i = next++;
    const { id, subject, body } = tickets[i];
    try {
      const { route, answer, stopReason, simulated } = await routeTicket({ id, subject, body });
      results[i] = { id, ok: true, route, answer, stopReason, simulated };
    } catch (error) {
      results[i] = { id, ok: false, error: String(error?.message ?? error).slice(0, 300) };
    }
  }
}
await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tickets.length) }, worker));

mkdirSync(outputs, { recursive: true });
writeFileSync(path.join(outputs, 'results.jsonl'), results.map((r) => JSON.stringify(r)).join('\n') + '\n');
const answered = results.filter((r) => r.ok);
console.log(`${split}: the agent answered ${answered.length} of ${results.length} tickets${answered.some((r) => r.simulated) ? ' (SIMULATED model)' : ''}; wrote ${path.join(outputs, 'results.jsonl')}`);
if (answered.length === 0) {
  console.error(`every model call failed; the first: ${results[0]?.error}`);
  process.exit(1);
}
