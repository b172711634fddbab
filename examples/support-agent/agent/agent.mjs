// The support agent: routes one customer ticket to the team that should answer it,
// with one call to a Claude model through the Anthropic SDK.
// Its behaviour lives in prompt.md (the system prompt) and settings.json (model,
// temperature, max_tokens); aiai may change anything in agent/.
//
// The eval calls routeTicket(ticket) with { id, subject, body } and reads
// { route, answer, stopReason, simulated } from what it returns.
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';

const TEAMS = ['billing', 'technical', 'account', 'refund', 'other'];
const prompt = readFileSync(new URL('./prompt.md', import.meta.url), 'utf8');
const settings = JSON.parse(readFileSync(new URL('./settings.json', import.meta.url), 'utf8'));

// Reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL (under aiai: its model gateway) from the environment.
let client;

export async function routeTicket(ticket) {
  client ??= new Anthropic({ timeout: 60_000 });
  const { data: message, response } = await client.messages
    .create(
      {
        model: settings.model,
        max_tokens: settings.max_tokens,
        temperature: settings.temperature,
        system: prompt,
        messages: [{ role: 'user', content: `Subject: ${ticket.subject}\n\n${ticket.body}` }],
      },
      // Tags the call with the case, so aiai shows its tokens and cost beside the case.
      { headers: { 'x-aiai-case': ticket.id } },
    )
    .withResponse();
  const answer = message.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('');
  return {
    route: firstTeamNamed(answer),
    answer,
    stopReason: message.stop_reason,
    simulated: response.headers.get('x-simulated-model') === 'true' || message.id.startsWith('msg_sim_'),
  };
}

/** The first team the answer names, or null when it names none. */
function firstTeamNamed(answer) {
  const match = new RegExp(`\\b(${TEAMS.join('|')})\\b`, 'i').exec(answer);
  return match ? match[1].toLowerCase() : null;
}
