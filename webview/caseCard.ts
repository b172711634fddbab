import { formatNumber } from '../src/shared/format';
import type { CaseSide } from '../src/shared/review';
import { h } from './dom';

/** One side of a case: "Before", "After", or a side compared, with its result (null when the record does not hold the case). */
export interface CardSide {
  label: string;
  side: CaseSide | null;
  /** `case-before`, `case-after`, `case-a`, `case-b`. */
  cls: string;
}

export interface CardCase {
  /** "train/t-3". */
  key: string;
  verdict: { text: string; better: boolean };
  holdout: boolean;
  /** The output is the agent's; input, expected and feedback are its grader's. */
  gradedApart?: boolean;
  input?: string;
  expected?: string;
  sides: [CardSide, CardSide];
}

/**
 * A case as a person weighs it: its input and expected output, then each side's
 * output and the evaluator's feedback, next to each other. A holdout case is marked:
 * a person sees it, a proposer never does.
 */
export function caseCard(c: CardCase): HTMLElement {
  return h(
    'article',
    { class: 'case', 'data-case': c.key },
    h(
      'div',
      { class: 'case-head' },
      h('span', { class: `case-verdict ${c.verdict.better ? 'better' : 'worse'}` }, c.verdict.text),
      ' ',
      h('code', { class: 'case-id' }, c.key),
      c.holdout ? h('span', { class: 'case-holdout', title: 'A holdout case: shown to you, never to a proposer' }, 'holdout') : null,
      c.gradedApart
        ? h('span', { class: 'case-holdout', title: "A two-phase eval: the output is what the candidate's agent wrote; the input, expected output and feedback are its grader's, which ran apart from the agent's code" }, 'graded apart')
        : null,
    ),
    c.input !== undefined || c.expected !== undefined ? h('div', { class: 'case-io' }, evidence('Input', c.input, 'case-input'), evidence('Expected', c.expected, 'case-expected')) : null,
    h('div', { class: 'case-sides' }, ...c.sides.map(sideView)),
  );
}

function evidence(label: string, text: string | undefined, cls: string): HTMLElement | null {
  if (text === undefined) return null;
  return h('div', { class: 'case-field' }, h('span', { class: 'case-label' }, label), h('pre', { class: cls }, text));
}

function sideView({ label, side, cls }: CardSide): HTMLElement {
  return h(
    'div',
    { class: `case-side ${cls}` },
    h(
      'div',
      { class: 'case-label' },
      `${label} `,
      side ? h('span', { class: side.passed ? 'better' : 'worse' }, `${side.passed ? '✓ passed' : '✗ failed'}${side.score !== undefined ? ` ${formatNumber(side.score)}` : ''}`) : h('span', { class: 'muted' }, 'not in the record'),
    ),
    side?.output !== undefined ? h('pre', { class: 'case-output' }, side.output) : side ? h('p', { class: 'muted' }, 'no output recorded') : null,
    side?.feedback ? h('p', { class: 'case-feedback' }, side.feedback) : null,
    side?.model ? h('p', { class: 'case-model muted' }, side.model) : null,
  );
}
