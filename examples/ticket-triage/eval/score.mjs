// Scores the triage agent on one split of labelled tickets: node eval/score.mjs <train|holdout|smoke>
// Writes {"metrics", "cases"} to $AIAI_METRICS_FILE (aiai's metrics contract) and prints a summary.
import { readFileSync, writeFileSync } from 'node:fs';
import { triage } from '../agent/triage.mjs';

const split = process.argv[2] ?? 'train';
const file = new URL(`./data/${split === 'smoke' ? 'train' : split}.jsonl`, import.meta.url);
let tickets = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
if (split === 'smoke') tickets = tickets.slice(0, 15);

const cases = tickets.map((t) => {
  const got = triage(t);
  return { id: t.id, passed: got === t.label, expected: t.label, got };
});
const share = (items) => (items.length ? items.filter((c) => c.passed).length / items.length : 0);
const metrics = {
  accuracy: share(cases),
  urgent_recall: share(cases.filter((c) => c.expected === 'urgent')),
  spam_recall: share(cases.filter((c) => c.expected === 'spam')),
};
if (process.env.AIAI_METRICS_FILE) writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics, cases }));
console.log(`${split}: ${cases.filter((c) => c.passed).length}/${cases.length} correct`);
console.log(JSON.stringify(metrics));
