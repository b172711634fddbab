import { formatNumber as fmt, parentName } from '../src/shared/format';
import type { ReviewSnapshot, RunPoint } from '../src/protocol';
import type { ModelTally } from '../src/shared/review';
import type { RaceTally } from '../src/shared/race';
import { describeUsage, totalInput } from '../src/shared/usage';
import { h } from './dom';
import { lineageRoots, type LineageNode } from './lineageTree';
import { chartFrame, shape, text, titled } from './svg';
const WIDTH = 560;
const HEIGHT = 180;
const PAD = 28;

/**
 * A picture of the run: the objective of each candidate in the order they finished
 * (awaiting review, approved, rejected and failed marked apart, the current version as
 * a line), and the lineage tree. Both open a candidate on click. Below them, what each
 * model of an ensemble did.
 */
export function runView(snapshot: ReviewSnapshot, open: (id: string) => void): HTMLElement {
  const { points, current, metric } = snapshot.run;
  return h(
    'section',
    { class: 'run', id: 'run' },
    h('h2', {}, `This run (${points.length} candidate${points.length === 1 ? '' : 's'})`),
    chart(points, current, metric, snapshot.review.id, open),
    h('h3', {}, 'Lineage'),
    lineage(points, snapshot.review.id, open),
    race(snapshot.run.race),
    models(snapshot.run.models),
  );
}

/** What the run's races ran against a full grading, and the evals' model spend they spared. */
function race(tally: RaceTally | undefined): HTMLElement | null {
  if (!tally) return null;
  const spared = Math.round((100 * (tally.of - tally.cases)) / Math.max(1, tally.of));
  const spend = tally.sparedCalls > 0 ? `; about ${tally.sparedCalls} model calls ($${tally.sparedCostUsd.toFixed(2)}) spared` : '';
  return h(
    'p',
    { class: 'muted', id: 'race' },
    `Racing: ${tally.cases.toLocaleString('en-US')} case runs of the ${tally.of.toLocaleString('en-US')} a full grading would have run (${spared}% spared); ${tally.stopped} of ${tally.candidates} candidates stopped early${spend}.`,
  );
}

/** Per model: proposals, how many improved on their parent, and what they cost. */
function models(tallies: ModelTally[]): HTMLElement | null {
  if (tallies.length === 0) return null;
  const n = (x: number): string => x.toLocaleString('en-US');
  return h(
    'div',
    { class: 'models', id: 'models' },
    h('h3', {}, 'Per model'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['Model', 'Proposals', 'Improvements', 'Tokens in / out', 'Cost'].map((t) => h('th', {}, t)))),
      h(
        'tbody',
        {},
        ...tallies.map((t) =>
          h(
            'tr',
            { 'data-model': t.model },
            h('td', {}, t.model),
            h('td', { class: 'number' }, n(t.proposals)),
            h('td', { class: 'number' }, n(t.improvements)),
            h('td', { class: 'number', title: describeUsage(t.usage) }, `${n(totalInput(t.usage))} / ${n(t.usage.outputTokens)}`),
            h('td', { class: 'number' }, `$${t.usage.costUsd.toFixed(4)}`),
          ),
        ),
      ),
    ),
  );
}

/** The lowest and highest value the chart shows; none when nothing was measured, and then no value axis. */
function range(values: number[]): { lo: number; hi: number } | undefined {
  return values.length === 0 ? undefined : { lo: Math.min(...values), hi: Math.max(...values) };
}

function chart(points: RunPoint[], currentValue: number | undefined, metric: string, shown: string, open: (id: string) => void): Element {
  const values = points.flatMap((p) => (p.value === undefined ? [] : [p.value])).concat(currentValue === undefined ? [] : [currentValue]);
  const axis = range(values);
  const y = (v: number): number => (axis ? HEIGHT - PAD - ((v - axis.lo) / (axis.hi - axis.lo || 1)) * (HEIGHT - 2 * PAD) : HEIGHT / 2);
  const x = (i: number): number => PAD + (i + 0.5) * ((WIDTH - 2 * PAD) / Math.max(points.length, 1));
  const svg = chartFrame(WIDTH, HEIGHT, `${metric} of each candidate of the run`, 'run-chart');
  if (currentValue !== undefined) {
    svg.append(shape('line', { x1: PAD, x2: WIDTH - PAD, y1: y(currentValue), y2: y(currentValue), class: 'baseline' }));
    svg.append(text(PAD, y(currentValue) - 4, `current ${fmt(currentValue)}`, 'axis'));
  }
  if (axis) svg.append(text(4, PAD - 8, `${metric} ${fmt(axis.hi)}`, 'axis'), text(4, HEIGHT - 6, fmt(axis.lo), 'axis'));
  else svg.append(text(PAD, HEIGHT / 2, `${metric}: no candidate evaluated yet`, 'axis'));
  points.forEach((p, i) => {
    if (p.value === undefined) {
      svg.append(shape('line', { x1: x(i) - 4, x2: x(i) + 4, y1: HEIGHT - PAD - 4, y2: HEIGHT - PAD + 4, class: `mark status-${p.status}` }));
      return;
    }
    const dot = titled(shape('circle', { cx: x(i), cy: y(p.value), r: p.id === shown ? 6 : 4, class: `mark status-${p.status}${p.partial ? ' partial' : ''}${p.id === shown ? ' current' : ''}`, tabindex: 0 }), `${p.id} ${p.status}: ${p.title} (${fmt(p.value)}${p.partial ? ', partial: raced out' : ''})`);
    dot.addEventListener('click', () => open(p.id));
    dot.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && open(p.id));
    svg.append(dot);
  });
  return svg;
}

/** The run's lineage: from the baseline, and from each parent outside the run, marked as such; a candidate opens on click. */
function lineage(points: RunPoint[], shown: string, open: (id: string) => void): HTMLElement {
  const branch = (nodes: LineageNode[]): HTMLElement | null =>
    nodes.length === 0
      ? null
      : h(
          'ul',
          {},
          ...nodes.map(({ point: p, children }) =>
            h(
              'li',
              {},
              h('a', { href: '#', class: `status-${p.status}${p.id === shown ? ' current' : ''}`, onclick: (e: Event) => { e.preventDefault(); open(p.id); } }, `${p.id} ${p.status}${p.value === undefined ? '' : ` ${fmt(p.value)}`}`),
              h('span', { class: 'muted' }, ` ${p.title}`),
              branch(children),
            ),
          ),
        );
  return h(
    'div',
    { class: 'lineage' },
    ...lineageRoots(points).map(({ parent, children }) =>
      h(
        'div',
        { class: 'lineage-root' },
        // Not a link, as the run's candidates are: the parent is another run's, reached from its own review.
        parent === null ? h('span', {}, parentName(null)) : h('span', { class: 'outside', title: 'a candidate outside this run: of an earlier run, or the archive' }, `${parent} (outside this run)`),
        branch(children),
      ),
    ),
  );
}
