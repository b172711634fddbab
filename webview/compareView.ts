import type { ComparePageReply, PageQuery } from '../src/protocol';
import { pairKey, type ComparedCase, type ComparedCasePage, type ComparedMetric, type ComparedSide, type Comparison } from '../src/shared/compare';
import { formatNumber as fmt, formatSigned as signed } from '../src/shared/format';
import { caseCard } from './caseCard';
import { button } from './components';
import { diffView } from './diffView';
import { h } from './dom';
import { PagedList } from './pagedList';
import type { UiState, ViewContext } from './reviewView';

type CompareState = NonNullable<UiState['compare']>;

/** The list of differing cases shown, which the extension's answers go to. */
let shown: PagedList<ComparedCasePage> | undefined;
let last: { key: string; page: ComparedCasePage } | undefined;

/**
 * Two candidates, or a candidate and a version, side by side: what each is, every
 * metric of every eval on both with B − A, the cases that pass on one side only with
 * the evidence of each (searched and paged by the extension), and the change from A
 * to B. The person's filter, page and open files outlive a redraw of the same pair.
 */
export function renderCompare(root: HTMLElement, c: Comparison, ctx: ViewContext): void {
  const pair = pairKey(c.a.ref, c.b.ref);
  const same = ctx.state.compare?.pair === pair;
  // The two sides too, for the extension to compare them again after a window reload.
  if (!same) ctx.saveState({ compare: { pair, a: c.a.ref, b: c.b.ref } });
  const scroll = same ? window.scrollY : 0;
  root.replaceChildren(compareView(c, pair, ctx));
  window.scrollTo(0, scroll);
}

/** What the panel shows when the two cannot be compared. */
export function compareFailedView(message: string): HTMLElement {
  return h('div', { class: 'empty' }, h('h1', {}, 'AIAI Compare'), h('p', { class: 'notice notice-error', role: 'alert' }, message));
}

/** An answer to the list's question; dropped by the list when it asked something else since. */
export function receiveComparePage(reply: ComparePageReply): void {
  shown?.receive(pairKey(reply.a, reply.b), reply.query, reply);
}

function compareView(c: Comparison, pair: string, ctx: ViewContext): HTMLElement {
  const state = ctx.state.compare;
  const update = (change: Partial<CompareState>): void => ctx.saveState({ ...ctx.state, compare: { ...ctx.state.compare, ...change, pair } });
  const open = (id: string): void => ctx.send({ type: 'navigate', id });
  return h(
    'div',
    { class: 'compare', 'data-pair': pair },
    h('header', { class: 'header' }, h('h1', {}, 'Compare'), h('div', { class: 'compare-sides', id: 'compare-sides' }, sideCard('A', c.a, open), sideCard('B', c.b, open))),
    objectiveLine(c),
    h(
      'div',
      { class: 'columns' },
      h('div', { class: 'evidence' }, metricsSection(c), casesSection(c, pair, state?.cases, update, ctx)),
      diffSection(c, state, update, ctx),
    ),
  );
}

function sideCard(letter: 'A' | 'B', s: ComparedSide, open: (id: string) => void): HTMLElement {
  const { ref } = s;
  return h(
    'div',
    { class: 'compare-side', 'data-side': letter.toLowerCase() },
    h('span', { class: 'compare-letter' }, letter),
    h(
      'div',
      {},
      ref.kind === 'candidate'
        ? h('a', { href: '#', class: 'compare-name', title: 'Open its review', onclick: (e: Event) => { e.preventDefault(); open(ref.id); } }, s.name)
        : h('span', { class: 'compare-name' }, s.name),
      h('span', { class: 'muted' }, ` ${s.detail}`),
      h('div', { class: 'compare-title' }, s.title),
      s.missing ? h('p', { class: 'notice notice-warning' }, s.missing) : null,
    ),
  );
}

function objectiveLine(c: Comparison): HTMLElement {
  const row = c.metrics.find((m) => m.objective);
  const { metric } = c.objective;
  if (!row || row.a === null || row.b === null || row.delta === null) {
    const where = [row?.a === null || !row ? 'A' : '', row?.b === null || !row ? 'B' : ''].filter(Boolean).join(' and ');
    return h('section', { class: 'objective', id: 'compare-objective' }, h('span', { class: 'objective-metric' }, metric), h('span', { class: 'muted' }, `not measured on ${where}`));
  }
  return h(
    'section',
    { class: 'objective', id: 'compare-objective' },
    h('span', { class: 'objective-metric' }, metric),
    h('span', { class: 'objective-values' }, `A ${fmt(row.a)} · B ${fmt(row.b)}`),
    h('span', { class: `delta ${deltaClass(row)}` }, signed(row.delta)),
    h('span', { class: 'muted' }, 'B − A'),
  );
}

function metricsSection(c: Comparison): HTMLElement {
  return h(
    'section',
    { class: 'metrics', id: 'compare-metrics' },
    h('h2', {}, 'Metrics'),
    h('p', { class: 'muted' }, 'Each metric of each eval on both sides. A side where an eval did not run (holdout runs only for an improvement) shows no value.'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['Eval', 'Metric', 'A', 'B', 'B − A'].map((t) => h('th', {}, t)))),
      h(
        'tbody',
        {},
        ...c.metrics.map((m) =>
          h(
            'tr',
            { class: m.objective ? 'objective-row' : '', 'data-metric': `${m.eval}/${m.metric}` },
            h('td', {}, m.eval, m.kind === 'gate' ? h('span', { class: 'muted' }, ' (gate)') : m.kind === 'holdout' ? h('span', { class: 'muted' }, ' (holdout)') : null),
            h('td', {}, m.metric),
            valueCell(m.a, m.statusA),
            valueCell(m.b, m.statusB),
            h('td', { class: `number delta ${deltaClass(m)}` }, m.delta === null ? '' : signed(m.delta)),
          ),
        ),
      ),
    ),
  );
}

/** A value, or why there is none: the eval did not run there, or did not pass. */
function valueCell(value: number | null, status: ComparedMetric['statusA']): HTMLElement {
  if (value !== null) return h('td', { class: 'number' }, fmt(value));
  return h('td', { class: `number status-${status ?? 'none'}` }, status === null ? 'not run' : status === 'passed' ? '' : status);
}

function deltaClass(m: ComparedMetric): string {
  return m.better === null ? 'same' : m.better ? 'better' : 'worse';
}

function casesSection(c: Comparison, pair: string, state: CompareState['cases'], update: (change: Partial<CompareState>) => void, ctx: ViewContext): HTMLElement {
  const section = h('section', { class: 'cases', id: 'compare-cases' }, h('h2', {}, 'Cases where they differ'));
  if (c.cases.counts['passes-in-a'] + c.cases.counts['passes-in-b'] === 0) {
    shown = undefined;
    section.append(h('p', { class: 'muted' }, 'No case that both ran passes on one side and fails on the other.'));
    return section;
  }
  const key = (q: Pick<PageQuery, 'text' | 'offset'>): string => JSON.stringify([pair, q.text, q.offset]);
  const wanted = key(state ?? { text: '', offset: 0 });
  // The comparison brings the first page unfiltered; another page drawn before may be kept from the last redraw.
  const initial = wanted === key({ text: '', offset: 0 }) ? c.cases : last?.key === wanted ? last.page : undefined;
  shown = new PagedList<ComparedCasePage>({
    id: 'compare-cases',
    subject: pair,
    state,
    save: (cases) => update({ cases }),
    ask: (query) => ctx.ask({ type: 'comparePage', a: c.a.ref, b: c.b.ref, query }),
    ...(initial ? { initial } : {}),
    drawn: (query, page) => (last = { key: key(query), page }),
    heading: (page) =>
      h(
        'p',
        { id: 'compare-cases-counts' },
        `${page.counts['passes-in-a']} pass on A only · ${page.counts['passes-in-b']} pass on B only`,
        h('span', { class: 'muted' }, ', of the cases both ran'),
      ),
    cards: (page) => page.cases.map((k) => card(k, c)),
    placeholder: 'Filter by id, input, expected, output or feedback',
  });
  section.append(shown.element);
  return section;
}

function card(k: ComparedCase, c: Comparison): HTMLElement {
  const onA = k.change === 'passes-in-a';
  return caseCard({
    key: `${k.eval}/${k.id}`,
    verdict: { text: onA ? 'passes on A only' : 'passes on B only', better: !onA },
    holdout: k.holdout,
    ...(k.input !== undefined ? { input: k.input } : {}),
    ...(k.expected !== undefined ? { expected: k.expected } : {}),
    sides: [
      { label: `A · ${c.a.name}`, side: k.a, cls: 'case-a' },
      { label: `B · ${c.b.name}`, side: k.b, cls: 'case-b' },
    ],
  });
}

function diffSection(c: Comparison, state: CompareState | undefined, update: (change: Partial<CompareState>) => void, ctx: ViewContext): HTMLElement {
  const noCommit = [c.a, c.b].find((s) => s.commit === null);
  return h(
    'section',
    { class: 'compare-diff', id: 'compare-diff' },
    h('h2', {}, `From A to B (${c.changedPaths.length} editable file${c.changedPaths.length === 1 ? '' : 's'})`),
    button('Open in Diff Editor', {
      id: 'compare-open-diff',
      appearance: 'secondary',
      disabled: c.changedPaths.length === 0,
      title: 'Each editable file of A beside B, in VS Code’s diff editor',
      action: true,
      onClick: (clicked) => ctx.act({ type: 'openCompareDiff', a: c.a.ref, b: c.b.ref }, clicked),
    }),
    noCommit
      ? h('p', { class: 'muted' }, `No diff: ${noCommit.name} has no commit.`)
      : c.diff
        ? diffView(c.diff, state?.diff, (open) => update({ diff: { open } }))
        : h('p', { class: 'muted' }, 'The editable files are the same on both sides.'),
  );
}
