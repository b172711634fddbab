import { formatNumber, formatSigned } from '../../shared/format';
import type { Attempt } from './proposer';

/**
 * An attempt as a model reads it: what became of it now, what it was built on, what it
 * measured, and what its model expected:
 * `- [improved, awaiting review] c1 "title", built on candidate c0 → 0.7 (+0.2) — reason; hypothesis: …; expected: …`.
 */
export function attemptLine(a: Attempt): string {
  const result = a.objectiveValue !== undefined ? ` → ${formatNumber(a.objectiveValue)}${a.delta !== undefined ? ` (${formatSigned(a.delta)})` : ''}` : '';
  const reason = a.reason && a.outcome !== 'improved' ? ` — ${flat(a.reason)}` : '';
  const builtOn = a.parentId ? `candidate ${a.parentId}` : `version ${a.parentCommit.slice(0, 8)}`;
  const reasoning = a.diagnosis ? `; hypothesis: ${flat(a.diagnosis.hypothesis)}; expected: ${flat(a.diagnosis.expectedEffect)}` : '';
  return `- [${standing(a)}] ${a.id} "${flat(a.title)}", built on ${builtOn}${result}${reason}${reasoning}`;
}

/** The grader's verdict and, where a person has a say, what became of it. */
function standing(a: Attempt): string {
  if (a.outcome === 'evaluating') return 'being evaluated';
  if (a.outcome === 'failed' || a.outcome === 'refused') return a.outcome;
  if (a.outcome === 'rejected') return 'rejected by a person';
  const verdict = a.outcome === 'improved' ? 'improved' : 'not improved';
  switch (a.status) {
    case 'approved':
      return `${verdict}, approved by a person`;
    case 'pending':
      return `${verdict}, awaiting review`;
    case 'rejected':
      return `${verdict}, rejected by the loop`;
    default:
      return `${verdict}, ${a.status}`;
  }
}

function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
