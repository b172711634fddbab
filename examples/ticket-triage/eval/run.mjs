// Runs the triage agent on one split's tickets: node eval/run.mjs <smoke|train|holdout>
// The first phase of a two-phase eval: it sees only the tickets (eval/data: id, tier, text), never
// their labels (eval/answers, absent while it runs), and writes the agent's label of each ticket to
// $AIAI_OUTPUTS_DIR/labels.jsonl, one {"id", "label"} a line. eval/grade.mjs then scores that file.
// By hand: export AIAI_OUTPUTS_DIR=$(mktemp -d); node eval/run.mjs train && node eval/grade.mjs train
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const SPLITS = ['smoke', 'train', 'holdout'];
const split = process.argv[2] ?? 'train';
if (!SPLITS.includes(split)) {
  console.error(`usage: node eval/run.mjs <${SPLITS.join('|')}> (not "${split}")`);
  process.exit(2);
}
const outputs = process.env.AIAI_OUTPUTS_DIR;
if (!outputs) {
  console.error('AIAI_OUTPUTS_DIR is not set: the folder this run writes its labels into. aiai sets it; by hand, ' +
    'export AIAI_OUTPUTS_DIR=$(mktemp -d), then node eval/run.mjs <split> && node eval/grade.mjs <split>.');
  process.exit(2);
}

// The smoke test is the first 15 training tickets.
const source = split === 'smoke' ? 'train' : split;
const file = new URL(`./data/${source}.jsonl`, import.meta.url);
if (!existsSync(file)) {
  console.error(`eval/data/${source}.jsonl is absent: under aiai, the holdout's tickets are there only while the holdout eval runs ("data" in .aiai/config.json).`);
  process.exit(2);
}
let tickets = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
if (split === 'smoke') tickets = tickets.slice(0, 15);

const { triage } = await import('../agent/triage.mjs');
const labels = tickets.map(({ id, tier, text }) => ({ id, label: triage({ id, tier, text }) }));

mkdirSync(outputs, { recursive: true });
writeFileSync(path.join(outputs, 'labels.jsonl'), labels.map((l) => JSON.stringify(l)).join('\n') + '\n');
console.log(`${split}: labelled ${labels.length} tickets into ${path.join(outputs, 'labels.jsonl')}`);
