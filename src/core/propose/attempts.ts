import { formatNumber, formatSigned } from '../../shared/format';
import type { Attempt } from './proposer';

/** An attempt as a model reads it: "- [outcome] title → value (delta) — reason; expected: …". */
export function attemptLine(a: Attempt): string {
  const result = a.objectiveValue !== undefined ? ` → ${formatNumber(a.objectiveValue)}${a.delta !== undefined ? ` (${formatSigned(a.delta)})` : ''}` : '';
  const expected = a.expectedEffect ? `; expected: ${a.expectedEffect.replace(/\s+/g, ' ')}` : '';
  return `- [${a.outcome}] ${a.title}${result}${a.reason && a.outcome !== 'improved' ? ` — ${a.reason}` : ''}${expected}`;
}
