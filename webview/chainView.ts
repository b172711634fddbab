import { formatNumber as fmt, formatSigned as signed, versionText } from '../src/shared/format';
import type { ApprovalChain } from '../src/shared/review';
import { h } from './dom';

/**
 * A chain reviewed as one change: when the candidate grew from candidates not yet on
 * the branch, approving it applies them all. The steps (each opens its review), which
 * become superseded, and the objective against the version checked out now.
 */
export function chainSection(chain: ApprovalChain | undefined, shown: string, open: (id: string) => void): HTMLElement | null {
  if (!chain || chain.steps.length < 2) return null;
  const pending = chain.steps.filter((s) => s.id !== shown && s.status === 'pending').map((s) => s.id);
  const from = versionText(chain.from);
  const current = versionText(chain.current);
  const o = chain.objective;
  return h(
    'section',
    { class: 'chain', id: 'chain' },
    h('h2', {}, 'Approving applies the whole chain'),
    h('p', {}, `${chain.steps.length} steps from ${from}, reviewed and applied as one change:`),
    h(
      'ol',
      { class: 'chain-steps' },
      ...chain.steps.map((s) =>
        h(
          'li',
          { 'data-step': s.id },
          s.id === shown
            ? h('strong', {}, s.id)
            : h('a', { href: '#', class: `status-${s.status}`, onclick: (e: Event) => { e.preventDefault(); open(s.id); } }, s.id),
          ` ${s.title} `,
          h('span', { class: 'muted' }, s.id === shown ? '(this candidate)' : `(${s.status})`),
        ),
      ),
    ),
    pending.length > 0 ? h('p', { class: 'muted', id: 'chain-superseded' }, `Approving marks ${pending.join(', ')} superseded: ${pending.length === 1 ? 'its change is' : 'their changes are'} part of this one.`) : null,
    chain.moved ? h('p', { class: 'muted' }, `The branch moved since ${from}: the chain is merged onto ${current}.`) : null,
    o
      ? h('p', { id: 'chain-objective' }, `Against the current version ${current}: ${o.metric} ${fmt(o.current)} → ${fmt(o.value)} `, h('span', { class: `delta ${o.better ? 'better' : o.delta === 0 ? 'same' : 'worse'}` }, signed(o.delta)))
      : h('p', { id: 'chain-objective', class: 'muted' }, `Against the current version ${current}: not measured (it has no objective value on record).`),
  );
}
