// A support-ticket triage agent: routes each ticket to "urgent", "normal" or "spam".
// Its behaviour is set by agent/params.json and the constants below, which aiai tunes.
import { readFileSync } from 'node:fs';

const params = JSON.parse(readFileSync(new URL('./params.json', import.meta.url), 'utf8'));

// How many leading words of a ticket the agent reads.
const READ_WORDS = 12;

const URGENT_WORDS = ['down', 'outage', 'urgent', 'asap', 'broken', 'cannot', 'crash', 'error', 'lost', 'immediately'];
const SPAM_WORDS = ['free', 'winner', 'prize', 'click', 'offer', 'crypto', 'deal', 'bonus'];
const TIER_LEVEL = { free: 0, pro: 1, enterprise: 2 };

export function triage(ticket) {
  const words = ticket.text.toLowerCase().match(/[a-z']+/g) ?? [];
  const read = words.slice(0, READ_WORDS);
  const spamShare = read.filter((w) => SPAM_WORDS.includes(w)).length / Math.max(read.length, 1);
  if (spamShare >= params.spam.cutoff) return 'spam';
  const urgentHits = read.filter((w) => URGENT_WORDS.includes(w)).length;
  const urgency = urgentHits * params.urgency.keywordWeight + TIER_LEVEL[ticket.tier] * params.urgency.tierBoost;
  return urgency >= params.urgency.threshold ? 'urgent' : 'normal';
}
