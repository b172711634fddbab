// Grades the triage agent's labels on one split: node eval/grade.mjs <smoke|train|holdout>
// The second phase of a two-phase eval: aiai runs it apart from the agent (whose code is not
// there), on the labels eval/run.mjs wrote to $AIAI_OUTPUTS_DIR/labels.jsonl, against the right
// labels in eval/answers, which the agent's run never sees. So the agent can neither read the
// answers nor write its own score.
// Writes {"metrics", "cases", "feedback"} to $AIAI_METRICS_FILE (aiai's metrics contract) and prints a summary.
// Each case carries its evidence: the ticket (input), the right label (expected), the agent's
// label (output) and a line of feedback, which a model proposer reads to diagnose failures.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const SPLITS = ['smoke', 'train', 'holdout'];
const split = process.argv[2] ?? 'train';
if (!SPLITS.includes(split)) {
  console.error(`usage: node eval/grade.mjs <${SPLITS.join('|')}> (not "${split}")`);
  process.exit(2);
}
const outputs = process.env.AIAI_OUTPUTS_DIR;
if (!outputs) {
  console.error('AIAI_OUTPUTS_DIR is not set: the folder eval/run.mjs wrote its labels into.');
  process.exit(2);
}

const source = split === 'smoke' ? 'train' : split;
const jsonl = (file) => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const tickets = new Map(jsonl(new URL(`./data/${source}.jsonl`, import.meta.url)).map((t) => [t.id, t]));
let answers = jsonl(new URL(`./answers/${source}.jsonl`, import.meta.url));
// The smoke test is the first 15 training tickets.
if (split === 'smoke') answers = answers.slice(0, 15);

// What the agent said: the first {"id", "label"} given for each ticket. Anything else in the
// file (lines that are not JSON, labels for tickets not asked about) is ignored.
const labelsFile = path.join(outputs, 'labels.jsonl');
const given = new Map();
let unreadable = 0;
const wrote = existsSync(labelsFile);
if (wrote) {
  for (const line of readFileSync(labelsFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let row;
    try {
      row = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    if (row === null || typeof row !== 'object' || typeof row.id !== 'string' || !Object.hasOwn(row, 'label')) unreadable++;
    else if (!given.has(row.id)) given.set(row.id, row.label);
  }
}
if (!wrote) console.error(`the run wrote no ${labelsFile}: every ticket counts as unlabelled`);
if (unreadable) console.error(`${unreadable} lines of ${labelsFile} were not {"id", "label"} JSON and were ignored`);

const cases = answers.map(({ id, label }) => {
  const t = tickets.get(id);
  if (!t) throw new Error(`eval/answers/${source}.jsonl labels ticket ${id}, which eval/data/${source}.jsonl does not hold`);
  if (!given.has(id)) {
    return { id, passed: false, input: { tier: t.tier, text: t.text }, expected: label, feedback: `labelled ${label} (tier ${t.tier}) but the agent gave no label` };
  }
  const got = given.get(id);
  const passed = got === label;
  return {
    id,
    passed,
    input: { tier: t.tier, text: t.text },
    expected: label,
    output: got,
    ...(passed ? {} : { feedback: `labelled ${label} (tier ${t.tier}) but routed to ${got}` }),
  };
});
const share = (items) => (items.length ? items.filter((c) => c.passed).length / items.length : 0);
const metrics = {
  accuracy: share(cases),
  urgent_recall: share(cases.filter((c) => c.expected === 'urgent')),
  spam_recall: share(cases.filter((c) => c.expected === 'spam')),
};
const confusions = new Map();
for (const c of cases.filter((c) => !c.passed)) {
  const key = `${c.expected} → ${Object.hasOwn(c, 'output') ? c.output : '(no label)'}`;
  confusions.set(key, (confusions.get(key) ?? 0) + 1);
}
const feedback = [
  ...(wrote ? [] : ['the agent\'s run wrote no labels (labels.jsonl)']),
  confusions.size
    ? `most common mistakes (expected → got): ${[...confusions].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ')}`
    : 'every ticket was routed correctly',
].join('; ');
if (process.env.AIAI_METRICS_FILE) writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics, cases, feedback }));
console.log(`${split}: ${cases.filter((c) => c.passed).length}/${cases.length} correct`);
console.log(JSON.stringify(metrics));
