import type { Lessons } from '../src/protocol';
import type { ConversationStep, Review } from '../src/shared/review';
import { DIAGNOSIS_FIELDS, DIAGNOSIS_LABELS } from '../src/shared/diagnosis';
import { formatNumber, formatSigned } from '../src/shared/format';
import { isRecord } from '../src/shared/read';
import { button } from './components';
import { h } from './dom';

/** A section the person opens and closes; whether it is open outlives the next snapshot. */
export interface Collapsible {
  isOpen(id: string): boolean;
  toggle(id: string, open: boolean): void;
}

/**
 * How the candidate got here: each tool call of the agent conversation that made it,
 * its input and the start of its answer, a failed call marked in words as well as
 * colour. Closed at first, as a conversation runs to many steps.
 */
export function conversationSection(r: Review, sections: Collapsible): HTMLElement | null {
  const steps = r.conversation;
  if (!steps?.length) return null;
  const errors = steps.filter((s) => s.isError).length;
  const counts = `${steps.length} tool call${steps.length === 1 ? '' : 's'}${errors ? `, ${errors} failed` : ''}`;
  return collapsible(
    'conversation',
    sections,
    h('summary', {}, h('h2', {}, 'How it got here'), h('span', { class: 'muted' }, ` ${counts}`)),
    h('p', { class: 'muted' }, `The conversation in which ${r.model ?? 'the model'} made this candidate: each tool it called, with what, and the start of the answer.`),
    h('ol', { class: 'steps' }, ...steps.map(stepView)),
  );
}

/**
 * Why the model expected its change to help, written before it edited, and beside
 * it what the evaluation found: the diagnosis is a claim, the objective the check.
 */
export function diagnosisSection(r: Review): HTMLElement | null {
  const d = r.diagnosis;
  if (!d) return null;
  const o = r.objective;
  const happened = o ? `${o.metric} ${formatNumber(o.parent)} → ${formatNumber(o.value)} (${formatSigned(o.delta)} against the parent); ${r.status}` : `${r.status}${r.reason ? `: ${r.reason}` : ''}`;
  return h(
    'section',
    { class: 'diagnosis', id: 'diagnosis' },
    h('h2', {}, 'Why the model expects this to help'),
    h('dl', {}, ...DIAGNOSIS_FIELDS.flatMap((f) => [h('dt', {}, DIAGNOSIS_LABELS[f]), h('dd', {}, d[f])]), h('dt', {}, 'what happened'), h('dd', { id: 'what-happened' }, happened)),
  );
}

/** The workspace's lessons, as every proposal reads them, and where a person edits them. */
export function lessonsSection(lessons: Lessons | undefined, sections: Collapsible, edit: (button: HTMLElement) => void): HTMLElement | null {
  if (!lessons) return null;
  return collapsible(
    'lessons',
    sections,
    h('summary', {}, h('h2', {}, 'Lessons')),
    h('p', { class: 'muted' }, 'What earlier runs learned, rewritten after each model run and read by every proposal. Your own edits to ', h('code', {}, lessons.file), ' are kept.'),
    button(`Edit ${lessons.file}`, { id: 'edit-lessons', appearance: 'secondary', action: true, onClick: edit }),
    h('div', { class: 'lessons-text' }, lessons.text),
  );
}

function collapsible(id: string, sections: Collapsible, summary: HTMLElement, ...body: Array<HTMLElement | null>): HTMLElement {
  const section = h('details', { class: 'collapsible', id, open: sections.isOpen(id) }, summary, ...body);
  section.addEventListener('toggle', () => sections.toggle(id, section.open));
  return section;
}

function stepView(step: ConversationStep, index: number): HTMLElement {
  return h(
    'li',
    { class: step.isError ? 'step step-error' : 'step', 'data-step': String(index + 1) },
    h('div', { class: 'step-head' }, h('code', { class: 'step-tool' }, step.tool), step.isError ? h('span', { class: 'step-failed' }, ' failed') : null),
    inputView(step.input),
    h('pre', { class: 'step-result', 'aria-label': step.isError ? 'error' : 'answer' }, step.result || '(no answer)'),
  );
}

/** A call's input: each argument on its own line, a multi-line text (an edit's search or replace) as written. */
function inputView(json: string): HTMLElement {
  const args = parsed(json);
  if (!isRecord(args)) return h('pre', { class: 'step-input' }, json);
  const entries = Object.entries(args);
  if (entries.length === 0) return h('p', { class: 'muted step-input' }, 'no input');
  return h(
    'dl',
    { class: 'step-input' },
    ...entries.flatMap(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return [h('dt', {}, key), h('dd', {}, text.includes('\n') ? h('pre', {}, text) : h('code', {}, text))];
    }),
  );
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    // An input that is not JSON is shown as the text it is.
    return undefined;
  }
}
