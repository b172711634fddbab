import { formatNumber as fmt } from '../src/shared/format';
import type { RunCost, Trends } from '../src/shared/trends';
import { h } from './dom';
import { chartFrame, shape, text, titled } from './svg';

const WIDTH = 560;
const HEIGHT = 150;
const PAD = 28;

/**
 * Across runs, drawn: the objective of each version of the branch over time (the
 * baseline, each approval and rollback), and what each run evaluated and cost.
 */
export function trendsView(trends: Trends): HTMLElement {
  return h(
    'section',
    { class: 'trends', id: 'trends' },
    h('h2', {}, 'Across runs'),
    h('h3', {}, `${trends.metric} of each version`),
    versionsChart(trends),
    h('h3', {}, 'Each run'),
    trends.runs.length === 0 ? h('p', { class: 'muted' }, 'No run yet.') : runsChart(trends.runs),
  );
}

function versionsChart({ metric, versions }: Trends): Element {
  const measured = versions.flatMap((v, i) => (v.value === null ? [] : [{ ...v, value: v.value, i }]));
  const svg = chartFrame(WIDTH, HEIGHT, `${metric} of each version of the branch, oldest first`, 'trend-chart trend-versions');
  if (measured.length === 0) {
    svg.append(text(PAD, HEIGHT / 2, `${metric}: no version measured yet`, 'axis'));
    return svg;
  }
  const values = measured.map((v) => v.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const x = (i: number): number => PAD + (i + 0.5) * ((WIDTH - 2 * PAD) / versions.length);
  const y = (v: number): number => HEIGHT - PAD - ((v - lo) / (hi - lo || 1)) * (HEIGHT - 2 * PAD);
  svg.append(text(4, PAD - 8, `${metric} ${fmt(hi)}`, 'axis'), text(4, HEIGHT - 6, fmt(lo), 'axis'));
  svg.append(shape('polyline', { points: measured.map((v) => `${x(v.i)},${y(v.value)}`).join(' '), class: 'trend-line' }));
  for (const v of measured) {
    svg.append(titled(shape('circle', { cx: x(v.i), cy: y(v.value), r: 4, class: `mark kind-${v.kind}` }), `${v.version} ${v.kind}, ${v.date.slice(0, 10)}: ${fmt(v.value)}`));
    svg.append(text(x(v.i) - 8, HEIGHT - PAD + 14, v.version, 'axis'));
  }
  return svg;
}

/** Per run, oldest first: a bar for its evaluations, and its cost written above it. */
function runsChart(runs: RunCost[]): Element {
  const most = Math.max(1, ...runs.map((r) => r.evaluations));
  const slot = (WIDTH - 2 * PAD) / runs.length;
  const svg = chartFrame(WIDTH, HEIGHT, 'evaluations and cost of each run, oldest first', 'trend-chart trend-runs');
  svg.append(text(4, PAD - 8, `${most} evaluations`, 'axis'), text(4, HEIGHT - 6, '0', 'axis'));
  runs.forEach((r, i) => {
    const height = (r.evaluations / most) * (HEIGHT - 2 * PAD);
    const left = PAD + i * slot + slot * 0.15;
    svg.append(
      titled(
        shape('rect', { x: left, y: HEIGHT - PAD - height, width: slot * 0.7, height: Math.max(height, 1), class: 'bar' }),
        `run ${r.id} (${r.startedAt.slice(0, 16).replace('T', ' ')}): ${r.candidates} candidates, ${r.evaluations} evaluations, proposer $${r.costUsd.toFixed(4)}, evaluations' model calls $${r.evalCostUsd.toFixed(4)}`,
      ),
    );
    const spent = r.costUsd + r.evalCostUsd;
    if (spent > 0) svg.append(text(left, HEIGHT - PAD - height - 4, `$${spent.toFixed(2)}`, 'axis'));
  });
  return svg;
}
