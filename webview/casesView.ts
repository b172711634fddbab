import type { CasePageReply, FromWebview, PageQuery } from '../src/protocol';
import type { CaseEvidence, CaseEvidencePage, Review } from '../src/shared/review';
import { caseCard } from './caseCard';
import { h } from './dom';
import { PagedList, type ListState } from './pagedList';

/** The list shown, which the extension's answers go to; none when the panel shows no changed case. */
let shown: PagedList<CaseEvidencePage> | undefined;
/** The last page drawn, so that the next snapshot of the same candidate draws it at once. */
let last: { key: string; page: CaseEvidencePage } | undefined;

export interface CasesContext {
  state: ListState | undefined;
  save(state: ListState): void;
  ask(message: FromWebview): void;
}

/**
 * The cases behind the score: each case that newly fails (first) or newly passes,
 * with its input, expected output, the output before and after and the evaluator's
 * feedback; holdout cases marked. The extension filters and pages them, so a
 * candidate that changed thousands of cases shows one page at a time.
 */
export function casesSection(r: Review, ctx: CasesContext): HTMLElement | null {
  const changed = r.cases.reduce((n, c) => n + c.newlyFailing.length + c.newlyPassing.length, 0);
  if (changed === 0) {
    shown = undefined;
    return null;
  }
  const key = (q: Pick<PageQuery, 'text' | 'offset'>): string => JSON.stringify([r.id, q.text, q.offset]);
  const initial = last?.key === key(ctx.state ?? { text: '', offset: 0 }) ? last.page : undefined;
  shown = new PagedList<CaseEvidencePage>({
    id: 'cases',
    subject: r.id,
    state: ctx.state,
    save: ctx.save,
    ask: (query) => ctx.ask({ type: 'casePage', id: r.id, query }),
    ...(initial ? { initial } : {}),
    drawn: (query, page) => (last = { key: key(query), page }),
    heading,
    cards: (page) => page.cases.map(card),
    placeholder: 'Filter by id, input, expected, output or feedback',
  });
  return h('section', { class: 'cases', id: 'cases' }, h('h2', {}, 'Cases that changed'), shown.element);
}

/** An answer to the list's question; dropped by the list when it asked something else since. */
export function receiveCasePage(reply: CasePageReply): void {
  shown?.receive(reply.id, reply.query, reply);
}

function heading(page: CaseEvidencePage): HTMLElement {
  const against = page.before.kind === 'baseline' ? `the baseline ${page.before.commit.slice(0, 8)}` : `the parent ${page.before.id}`;
  return h(
    'div',
    {},
    h(
      'p',
      { id: 'cases-counts' },
      h('span', { class: page.counts['newly-failing'] > 0 ? 'worse' : 'muted' }, `${page.counts['newly-failing']} newly failing`),
      ' · ',
      h('span', { class: page.counts['newly-passing'] > 0 ? 'better' : 'muted' }, `${page.counts['newly-passing']} newly passing`),
      h('span', { class: 'muted' }, `, against ${against}`),
    ),
    page.beforeMissing ? h('p', { class: 'notice notice-warning' }, `The output before is missing: ${page.beforeMissing}`) : null,
  );
}

function card(k: CaseEvidence): HTMLElement {
  const failing = k.change === 'newly-failing';
  return caseCard({
    key: `${k.eval}/${k.id}`,
    verdict: { text: failing ? '✗ newly failing' : '✓ newly passing', better: !failing },
    holdout: k.holdout,
    gradedApart: k.gradedApart === true,
    ...(k.input !== undefined ? { input: k.input } : {}),
    ...(k.expected !== undefined ? { expected: k.expected } : {}),
    sides: [
      { label: 'Before', side: k.before, cls: 'case-before' },
      { label: 'After', side: k.after, cls: 'case-after' },
    ],
  });
}
