import { formatNumber as fmt, formatSigned as signed, lineageText } from '../src/shared/format';
import type { MetricRow, QuickReason, Review } from '../src/shared/review';
import type { CompareRef } from '../src/shared/compare';
import { describeUsage } from '../src/shared/usage';
import type { FromWebview, Intent, ReviewSnapshot } from '../src/protocol';
import { casesSection } from './casesView';
import { chainSection } from './chainView';
import { badge, button, textField } from './components';
import { diffView, type DiffViewState } from './diffView';
import { h } from './dom';
import type { ListState } from './pagedList';
import { conversationSection, diagnosisSection, lessonsSection, type Collapsible } from './proposerView';
import { quickReasons } from './quickReasons';
import { runView } from './runView';
import { selectionSection, type SelectionState } from './selectionView';
import { trendsView } from './trendsView';
import type { Trends } from '../src/shared/trends';

export interface UiState {
  id?: string;
  diff?: DiffViewState;
  reason?: string;
  /** The collapsible sections the person opened. */
  sections?: string[];
  /** The filter and page of the changed cases. */
  cases?: ListState;
  /** The quick reason picked for a rejection. */
  because?: QuickReason | undefined;
  /** A comparison's panel: the pair it shows (as a key, and its two sides), its cases' filter and page, its open files. */
  compare?: { pair: string; a?: CompareRef; b?: CompareRef; cases?: ListState; diff?: DiffViewState };
  /** What the person ticked to keep part of the change. */
  selection?: SelectionState;
}

export interface ViewContext {
  /** A person's action, clicked on `button`: the panel is busy until its reply; it answers the last outcome shown. */
  act(intent: Intent, button: HTMLElement): void;
  /** Another candidate to show: it answers the last outcome shown. */
  send(message: Extract<FromWebview, { type: 'navigate' }>): void;
  /** A question for data (a page of cases): it leaves the outcome shown. */
  ask(message: FromWebview): void;
  state: UiState;
  saveState(state: UiState): void;
}

/** The whole panel for one candidate: header, decision bar, eval deltas, cases, how it got here, the run, the lessons, diff. */
export function reviewView(snapshot: ReviewSnapshot, ctx: ViewContext): HTMLElement {
  const r = snapshot.review;
  const sameCandidate = ctx.state.id === r.id;
  const state: UiState = sameCandidate ? ctx.state : { id: r.id };
  ctx.saveState(state);
  // Each change is saved onto the state as it is now, so one change never undoes another.
  const update = (change: Partial<UiState>): void => ctx.saveState({ ...ctx.state, ...change });
  const sections: Collapsible = {
    isOpen: (id) => state.sections?.includes(id) ?? false,
    toggle: (id, open) => update({ sections: [...(ctx.state.sections ?? []).filter((s) => s !== id), ...(open ? [id] : [])] }),
  };
  return h(
    'div',
    { class: 'review', 'data-candidate': r.id },
    header(r, (id) => ctx.send({ type: 'navigate', id })),
    snapshot.untrusted ? h('p', { class: 'notice notice-warning' }, snapshot.untrusted) : null,
    actions(snapshot, ctx, state, update),
    objective(r),
    chainSection(snapshot.chain, r.id, (id) => ctx.send({ type: 'navigate', id })),
    // The evidence beside the diff on a wide panel, above it on a narrow one.
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { class: 'evidence' },
        diagnosisSection(r),
        metricsSection(r.metrics.filter((m) => m.kind !== 'holdout'), 'Evaluation deltas', 'Each metric of each eval against the parent.'),
        metricsSection(r.metrics.filter((m) => m.kind === 'holdout'), 'Holdout', 'Run only for a candidate that improves; never shown to the proposer.'),
        casesSection(r, { state: state.cases, save: (cases) => update({ cases }), ask: (message) => ctx.ask(message) }),
        conversationSection(r, sections),
        runView(snapshot, (id) => ctx.send({ type: 'navigate', id })),
        snapshot.trends ? trendsView(snapshot.trends) : null,
        lessonsSection(snapshot.lessons, sections, (clicked) => ctx.act({ type: 'openLessons' }, clicked)),
      ),
      h(
        'div',
        { class: 'change' },
        selectionSection(snapshot.coauthoring, state.selection, (selection) => update({ selection }), (files, clicked) => ctx.act({ type: 'evaluateSelection', id: r.id, files }, clicked)),
        r.diff ? diffView(r.diff, state.diff, (open) => update({ diff: { open } })) : h('p', { class: 'muted' }, 'No diff: this candidate changed no file.'),
      ),
    ),
  );
}

export function emptyView(message: string, trends: Trends | undefined): HTMLElement {
  return h('div', { class: 'empty' }, h('h1', {}, 'AIAI Review'), h('p', {}, message), trends ? trendsView(trends) : null);
}

function header(r: Review, open: (id: string) => void): HTMLElement {
  const facts = [
    `candidate ${r.id}`,
    `lineage ${lineageText(r.lineage, r.id)}`,
    `base ${r.base.slice(0, 8)}`,
    r.model ? `proposer ${r.proposer} (${r.model})` : `proposer ${r.proposer}`,
    `evaluated in ${(r.durationMs / 1000).toFixed(1)} s`,
    r.contentHash ? `content ${r.contentHash.slice(0, 12)}` : '',
  ].filter(Boolean);
  return h(
    'header',
    { class: 'header' },
    h('h1', { id: 'title' }, r.title),
    h('div', { class: 'badges' }, badge(r.status, r.status), ...r.flags.map((f) => badge(f, 'flag'))),
    r.reason ? h('p', { class: r.status === 'pending' || r.status === 'approved' || r.status === 'superseded' ? 'muted' : 'notice notice-error' }, r.reason) : null,
    r.rationale ? h('p', { class: 'rationale' }, r.rationale) : null,
    h('p', { class: 'facts muted' }, facts.join(' · ')),
    r.derivedFrom ? h('p', { class: 'facts muted', id: 'derived-from' }, 'part of candidate ', candidateLink(r.derivedFrom, open), ': a person kept some of its change') : null,
    r.usage ? h('p', { class: 'facts muted', id: 'usage' }, `model: ${describeUsage(r.usage)}`) : null,
    r.leftOut?.length ? h('p', { class: 'facts muted', id: 'left-out' }, `not shown to the model: ${r.leftOut.map((l) => `${l.path} (${l.reason})`).join(', ')}`) : null,
  );
}

function actions(snapshot: ReviewSnapshot, ctx: ViewContext, state: UiState, update: (change: Partial<UiState>) => void): HTMLElement {
  const r = snapshot.review;
  const index = snapshot.pending.findIndex((p) => p.id === r.id);
  const previous = index > 0 ? snapshot.pending[index - 1] : undefined;
  const next = index >= 0 ? snapshot.pending[index + 1] : snapshot.pending[0];
  const { contentHash } = r;
  let reason = state.reason ?? '';
  let because = state.because;
  const why = snapshot.canDecide ? undefined : undecidable(snapshot);
  return h(
    'div',
    { class: 'actions' },
    button('Approve', {
      id: 'approve',
      // Approval names the content the person reviewed, so a candidate without one cannot be approved.
      disabled: !snapshot.canDecide || contentHash === undefined,
      title: why ?? 'Commit this change on your branch',
      action: true,
      onClick: (clicked) => contentHash !== undefined && ctx.act({ type: 'approve', id: r.id, contentHash }, clicked),
    }),
    button('Reject', {
      id: 'reject',
      appearance: 'secondary',
      disabled: !snapshot.canDecide,
      title: why ?? 'Reject, with the reason and the quick reason given',
      action: true,
      onClick: (clicked) => ctx.act({ type: 'reject', id: r.id, reason, ...(because ? { because } : {}) }, clicked),
    }),
    textField({
      id: 'reason',
      placeholder: 'Reason for rejecting (optional)',
      value: reason,
      onInput: (value) => {
        reason = value;
        update({ reason: value });
      },
    }),
    quickReasons(because, !snapshot.canDecide, (picked) => {
      because = picked;
      update({ because: picked });
    }),
    button('Edit in Workspace', {
      id: 'edit-in-workspace',
      appearance: 'secondary',
      disabled: snapshot.coauthoring.cannotEdit !== undefined,
      title: snapshot.coauthoring.cannotEdit ?? 'Write this change into your working tree to edit it; then run “AIAI: Evaluate My Changes”',
      action: true,
      onClick: (clicked) => ctx.act({ type: 'editInWorkspace', id: r.id }, clicked),
    }),
    button('Open in Diff Editor', { id: 'open-diff', appearance: 'secondary', disabled: contentHash === undefined, action: true, onClick: (clicked) => ctx.act({ type: 'openDiff', id: r.id }, clicked) }),
    button('Compare with…', { id: 'compare-with', appearance: 'secondary', title: 'Side by side with another candidate or a version', action: true, onClick: (clicked) => ctx.act({ type: 'compareWith', id: r.id }, clicked) }),
    h(
      'span',
      { class: 'nav' },
      button('‹ Previous', { id: 'previous', appearance: 'secondary', disabled: !previous, onClick: () => previous && ctx.send({ type: 'navigate', id: previous.id }) }),
      h('span', { class: 'muted' }, index >= 0 ? `${index + 1} of ${snapshot.pending.length} awaiting review` : `${snapshot.pending.length} awaiting review`),
      button('Next ›', { id: 'next', appearance: 'secondary', disabled: !next, onClick: () => next && ctx.send({ type: 'navigate', id: next.id }) }),
    ),
    snapshot.coauthoring.checkedOut
      ? h('p', { class: 'muted checked-out', id: 'checked-out' }, 'Your working tree holds this change: edit it, then run “AIAI: Evaluate My Changes” to grade your version on this candidate.')
      : null,
  );
}

/** Why Approve and Reject are off, for their tooltips. */
function undecidable(snapshot: ReviewSnapshot): string {
  const r = snapshot.review;
  if (r.status === 'superseded') return `This candidate was ${r.reason ?? 'superseded'}. It can no longer be approved or rejected.`;
  if (r.status !== 'pending') return `This candidate is ${r.status}; only a candidate awaiting review can be approved or rejected.`;
  return snapshot.untrusted ?? 'This candidate cannot be decided here.';
}

function candidateLink(id: string, open: (id: string) => void): HTMLElement {
  return h('a', { href: '#', class: 'candidate-link', onclick: (e: Event) => { e.preventDefault(); open(id); } }, id);
}

function objective(r: Review): HTMLElement | null {
  const o = r.objective;
  if (!o) return null;
  return h(
    'section',
    { class: 'objective', id: 'objective' },
    h('span', { class: 'objective-metric' }, o.metric),
    h('span', { class: 'objective-values' }, `${fmt(o.parent)} → ${fmt(o.value)}`),
    h('span', { class: `delta ${o.better ? 'better' : o.delta === 0 ? 'same' : 'worse'}`, id: 'objective-delta' }, signed(o.delta)),
    o.noise !== undefined ? h('span', { class: 'muted', id: 'objective-noise' }, `± ${fmt(o.noise)} (twice the standard error)`) : null,
    h('span', { class: 'muted' }, `vs parent; ${signed(o.deltaVsCurrent)} vs the current version`),
    o.partial ? h('span', { class: 'muted', id: 'objective-partial' }, `partial: the race stopped it after ${o.partial.cases} of ${o.partial.of} cases; its metrics are of those cases alone`) : null,
  );
}

function metricsSection(rows: MetricRow[], title: string, note: string): HTMLElement | null {
  if (rows.length === 0) return null;
  return h(
    'section',
    { class: 'metrics' },
    h('h2', {}, title),
    h('p', { class: 'muted' }, note),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['Eval', 'Status', 'Metric', 'Parent', 'Candidate', 'Δ'].map((t) => h('th', {}, t)))),
      h(
        'tbody',
        {},
        ...rows.map((m) =>
          h(
            'tr',
            { class: m.objective ? 'objective-row' : '' },
            h('td', {}, m.eval, m.kind === 'gate' ? h('span', { class: 'muted' }, ' (gate)') : null),
            h('td', { class: `status status-${m.status}`, title: m.reason }, m.status),
            h('td', {}, m.metric),
            h('td', { class: 'number' }, m.parent === null ? '' : fmt(m.parent)),
            h('td', { class: 'number' }, m.value === null ? '' : `${fmt(m.value)}${m.spread !== undefined ? ` ± ${fmt(m.spread)}` : ''}`),
            h('td', { class: `number delta ${m.better === null ? 'same' : m.better ? 'better' : 'worse'}` }, m.delta === null ? '' : signed(m.delta)),
          ),
        ),
      ),
    ),
  );
}
