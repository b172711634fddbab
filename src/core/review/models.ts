import type { CandidateRecord } from '../record/records';
import { addUsage, NO_USAGE } from '../../shared/usage';
import type { ModelTally } from '../../shared/review';

/**
 * Per model, what the candidates of a run came to: an ensemble's fast and strong
 * models side by side. Improvements are candidates that beat their parent (awaiting
 * review, approved, or superseded by a later approval).
 */
export function modelTallies(candidates: CandidateRecord[]): ModelTally[] {
  const tallies = new Map<string, ModelTally>();
  for (const c of candidates) {
    if (!c.model) continue;
    const t = tallies.get(c.model) ?? { model: c.model, proposals: 0, improvements: 0, usage: NO_USAGE };
    tallies.set(c.model, {
      ...t,
      proposals: t.proposals + 1,
      improvements: t.improvements + (c.status === 'pending' || c.status === 'approved' || c.status === 'superseded' ? 1 : 0),
      usage: c.usage ? addUsage(t.usage, c.usage) : t.usage,
    });
  }
  return [...tallies.values()].sort((a, b) => a.model.localeCompare(b.model));
}
