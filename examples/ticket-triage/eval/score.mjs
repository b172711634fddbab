// Scores the triage agent on one split of labelled tickets: node eval/score.mjs <train|holdout|smoke>
// Writes {"metrics", "cases", "feedback"} to $AIAI_METRICS_FILE (aiai's metrics contract) and prints a summary.
// Each case carries its evidence: the ticket (input), the right label (expected), the agent's
// label (output) and a line of feedback, which a model proposer reads to diagnose failures.
import { readFileSync, writeFileSync } from 'node:fs';
import { triage } from '../agent/triage.mjs';

const split = process.argv[2] ?? 'train';
const file = new URL(`./data/${split === 'smoke' ? 'train' : split}.jsonl`, import.meta.url);
let tickets = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
if (split === 'smoke') tickets = tickets.slice(0, 15);

const cases = tickets.map((t) => {
  const got = triage(t);
  const passed = got === t.label;
  return {
    id: t.id,
    passed,
    input: { tier: t.tier, text: t.text },
    expected: t.label,
    output: got,
    ...(passed ? {} : { feedback: `labelled ${t.label} (tier ${t.tier}) but routed to ${got}` }),
  };
});
const share = (items) => (items.length ? items.filter((c) => c.passed).length / items.length : 0);
const metrics = {
  accuracy: share(cases),
  urgent_recall: share(cases.filter((c) => c.expected === 'urgent')),
  spam_recall: share(cases.filter((c) => c.expected === 'spam')),
};
const confusions = new Map();
for (const c of cases.filter((c) => !c.passed)) confusions.set(`${c.expected} → ${c.output}`, (confusions.get(`${c.expected} → ${c.output}`) ?? 0) + 1);
const feedback = confusions.size
  ? `most common mistakes (expected → got): ${[...confusions].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ')}`
  : 'every ticket was routed correctly';
if (process.env.AIAI_METRICS_FILE) writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics, cases, feedback }));
console.log(`${split}: ${cases.filter((c) => c.passed).length}/${cases.length} correct`);
console.log(JSON.stringify(metrics));
