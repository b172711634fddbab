import type { Config } from '../config/config';
import { attemptLine } from './attempts';
import type { ModelClient } from './modelClient';
import type { ReflectionRequest } from './proposer';
import type { Usage } from '../../shared/usage';

const SYSTEM = `You keep the lessons of a loop that improves an AI agent: a short markdown file that every
later proposal reads. Rewrite it from the current lessons and the attempts of the run that just
ended. Keep what a person wrote in it unless the attempts prove it wrong. Three sections, as short
bullet lists: "## What worked", "## What did not", "## What to try next". Name concrete changes and
their effect on the objective. Where an attempt says what it expected, set that beside what it
measured, and say which kinds of expectation held and which did not. At most 40 lines. Answer with
the file's text only.`;

/** Attempts shown to the writer of the lessons, most recent last. */
const ATTEMPTS_SHOWN = 60;

/**
 * One model call without tools that rewrites the workspace's lessons after a run.
 * It sees train-side outcomes only (what a proposer sees), never a holdout result.
 */
export async function reflect(client: ModelClient, model: string, config: Config, request: ReflectionRequest): Promise<{ lessons: string; usage: Usage } | undefined> {
  const o = request.objective;
  const text = [
    `# Objective\n\`${o.metric}\` of the eval \`${o.eval}\`, ${o.direction === 'maximize' ? 'higher' : 'lower'} is better.`,
    `# Current lessons (.aiai/lessons.md)\n${request.lessons.trim() || '(none yet)'}`,
    `# Attempts, oldest first\n${request.attempts.slice(-ATTEMPTS_SHOWN).map(attemptLine).join('\n')}`,
  ].join('\n\n');
  const called = await client.create(
    { model, max_tokens: Math.min(config.proposer.maxOutputTokens ?? 8192, 2048), system: [{ type: 'text', text: SYSTEM }], messages: [{ role: 'user', content: text }] },
    request.signal,
  );
  if ('fatal' in called) throw called.fatal;
  if ('reason' in called) return undefined;
  const lessons = called.reply.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n').trim();
  return lessons ? { lessons, usage: called.usage } : undefined;
}

