// Generates the tickets in eval/data and their labels in eval/answers (run once; both are committed).
// eval/data/<split>.jsonl holds what the agent may see of each ticket (id, tier, text);
// eval/answers/<split>.jsonl the right label of each (id, label), which only the grader sees.
import { mkdirSync, writeFileSync } from 'node:fs';

let seed = 20261125;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (items) => items[Math.floor(random() * items.length)];

const filler = ['the', 'dashboard', 'our', 'team', 'since', 'this', 'morning', 'please', 'help', 'with', 'account', 'invoice', 'report', 'login', 'page', 'settings', 'we', 'see', 'an', 'issue'];
const urgent = ['down', 'outage', 'urgent', 'asap', 'broken', 'cannot', 'crash', 'error', 'lost', 'immediately'];
const spam = ['free', 'winner', 'prize', 'click', 'offer', 'crypto', 'deal', 'bonus'];

function ticket(id, label) {
  const tier = label === 'spam' ? 'free' : pick(label === 'urgent' ? ['free', 'pro', 'enterprise', 'enterprise'] : ['free', 'free', 'pro', 'enterprise']);
  const words = [];
  const length = 10 + Math.floor(random() * 10);
  const hits = label === 'urgent' ? 1 + Math.floor(random() * 3) : label === 'normal' ? (random() < 0.3 ? 1 : 0) : 0;
  const spamHits = label === 'spam' ? 3 + Math.floor(random() * 4) : random() < 0.2 ? 1 : 0;
  for (let i = 0; i < length; i++) words.push(pick(filler));
  // Urgent words sit early in urgent tickets, late in normal ones (a long preamble).
  for (let i = 0; i < hits; i++) words.splice(label === 'urgent' ? Math.floor(random() * 6) : length - 1, 0, pick(urgent));
  for (let i = 0; i < spamHits; i++) words.splice(Math.floor(random() * 8), 0, pick(spam));
  return { id, tier, text: words.join(' '), label };
}

const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
for (const folder of ['data', 'answers']) mkdirSync(new URL(`./${folder}/`, import.meta.url), { recursive: true });
for (const [split, count] of [['train', 60], ['holdout', 40]]) {
  const rows = [];
  for (let i = 0; i < count; i++) rows.push(ticket(`${split}-${String(i + 1).padStart(3, '0')}`, pick(['urgent', 'urgent', 'normal', 'normal', 'spam'])));
  writeFileSync(new URL(`./data/${split}.jsonl`, import.meta.url), jsonl(rows.map(({ id, tier, text }) => ({ id, tier, text }))));
  writeFileSync(new URL(`./answers/${split}.jsonl`, import.meta.url), jsonl(rows.map(({ id, label }) => ({ id, label }))));
}
