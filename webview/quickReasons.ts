import { QUICK_REASON_MEANINGS, QUICK_REASONS, type QuickReason } from '../src/shared/review';
import { h } from './dom';

const LABELS: Record<QuickReason, string> = { overfits: 'Overfits', 'too-risky': 'Too risky', 'wrong-direction': 'Wrong direction', style: 'Style' };

/**
 * The quick reasons beside a rejection's words: one may be picked (picked again, it is
 * dropped). Each says in its tooltip what it teaches the model proposer.
 */
export function quickReasons(picked: QuickReason | undefined, disabled: boolean, onPick: (reason: QuickReason | undefined) => void): HTMLElement {
  let current = picked;
  const chips = QUICK_REASONS.map((reason) =>
    h(
      'button',
      {
        type: 'button',
        class: 'chip',
        'data-reason': reason,
        'aria-pressed': String(reason === current),
        title: `Tells the proposer: ${QUICK_REASON_MEANINGS[reason]}`,
        disabled,
        onclick: () => {
          current = current === reason ? undefined : reason;
          for (const chip of chips) chip.setAttribute('aria-pressed', String(chip.dataset.reason === current));
          onPick(current);
        },
      },
      LABELS[reason],
    ),
  );
  return h('span', { class: 'quick-reasons', id: 'quick-reasons', role: 'group', 'aria-label': 'Quick reason for rejecting' }, ...chips);
}
