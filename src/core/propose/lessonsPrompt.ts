import type { Config } from '../config/config';
import { attemptLine } from './attempts';
import type { ModelClient } from './modelClient';
import type { ReflectedAttempt, ReflectionRequest } from './proposer';
import { DIAGNOSIS_FIELDS, DIAGNOSIS_LABELS } from '../../shared/diagnosis';
import type { Usage } from '../../shared/usage';

const SYSTEM = `You keep the lessons of a loop that improves an AI agent: a short markdown file that every
later proposal reads. Rewrite it from the current lessons and the attempts of the run that just
ended. Keep what a person wrote in it unless the attempts prove it wrong. Three sections, as short
bullet lists: "## What worked", "## What did not", "## What to try next". Name concrete changes and
their effect on the objective, and cite the candidate ids each lesson rests on, in brackets
(e.g. [c1f0a2b3]). Where an attempt says what it expected, set that beside what it measured, and
say which kinds of expectation held and which did not. A change a person rejected is a lesson in
itself: say what not to do again. At most 40 lines. Answer with the file's text only.`;

/** Attempts shown to the writer of the lessons, most recent last; the latest in full (reasoning, diff, draft runs), the others as a line. */
const ATTEMPTS_SHOWN = 60;
const ATTEMPTS_IN_FULL = 20;

/**
 * One model call without tools that rewrites the workspace's lessons after a run.
 * It sees train-side outcomes only (what a proposer sees), never a holdout result.
 */
export async function reflect(client: ModelClient, model: string, config: Config, request: ReflectionRequest): Promise<{ lessons: string; usage: Usage } | undefined> {
  const o = request.objective;
  const text = [
    `# Objective\n\`${o.metric}\` of the eval \`${o.eval}\`, ${o.direction === 'maximize' ? 'higher' : 'lower'} is better.`,
    `# Current lessons (.aiai/lessons.md)\n${request.lessons.trim() || '(none yet)'}`,
    `# Attempts, oldest first\n${request.attempts
      .slice(-ATTEMPTS_SHOWN)
      .map((a, i, shown) => (i < shown.length - ATTEMPTS_IN_FULL ? attemptLine(a) : inFull(a)))
      .join('\n')}`,
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


/** An attempt with why it was made, the model's diagnosis, its change and what its drafts scored. */
function inFull(a: ReflectedAttempt): string {
  const parts = [attemptLine(a)];
  if (a.rationale) parts.push(`  rationale: ${a.rationale.replace(/\s+/g, ' ')}`);
  if (a.diagnosis) for (const field of DIAGNOSIS_FIELDS) parts.push(`  ${DIAGNOSIS_LABELS[field]}: ${a.diagnosis[field].replace(/\s+/g, ' ')}`);
  for (const [i, run] of (a.draftRuns ?? []).entries()) parts.push(`  run_evals ${i + 1} on its draft: ${run.replace(/\n/g, '\n    ')}`);
  if (a.diff) parts.push(`  its change:\n\`\`\`diff\n${a.diff}\n\`\`\``);
  return parts.join('\n');
}
