/**
 * Where an evaluator pins a whole number that a program's knob holds: the problem's
 * size (`n = 26` circles, `n_expected = 26`, `assert len(points) == 13`), which any
 * candidate that moves it fails. Both peers' examples check sizes so, and a trial of
 * their projects found such knobs failing every candidate that moved them.
 */

/** Words that make a name a size's: n, num_circles, n_expected, N_POINTS, numCircles, expected_count… */
const SIZE_FIRST = new Set(['n', 'num', 'count', 'size', 'k', 'expected']);
const SIZE_LAST = new Set(['n', 'num', 'count', 'size', 'expected']);

/**
 * The evaluator's line that pins `value`, as `line N: …`, if one does: the value
 * assigned to a size's name or to a name that shares a word with the knob's, or
 * compared or asserted. Comments and strings (docstrings too) are not read, and 0, 1
 * and -1 are too common to say anything.
 */
export function pinnedBy(evaluator: string, knobName: string, value: number): string | undefined {
  if (!Number.isInteger(value) || Math.abs(value) < 2) return undefined;
  const v = `(?<![\\w.])${value}(?![\\w.])`;
  const literal = new RegExp(v);
  const compared = new RegExp(`(?:==|!=|<=?|>=?)\\s*\\(?\\s*${v}|${v}\\s*,?\\s*\\)?\\s*(?:==|!=|<=?|>=?)|\\bassert\\b.*${v}`);
  const knobWords = words(knobName);
  let inDocstring = false;
  for (const [i, raw] of evaluator.split('\n').entries()) {
    const quotes = (raw.match(/"""|'''/g) ?? []).length;
    const skip = inDocstring || quotes > 0;
    if (quotes % 2 === 1) inDocstring = !inDocstring;
    if (skip) continue;
    const line = raw.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*$/, '');
    const at = literal.exec(line);
    if (!at) continue;
    const assigned = /(?:^|[\s,(])([A-Za-z_]\w*)\s*(?::\s*int\s*)?=\s*$/.exec(line.slice(0, at.index))?.[1];
    const nameWords = assigned === undefined ? [] : words(assigned);
    const named = SIZE_FIRST.has(nameWords[0] ?? '') || SIZE_LAST.has(nameWords.at(-1) ?? '') || nameWords.some((w) => knobWords.includes(w));
    if (named || compared.test(line)) return `line ${i + 1}: \`${raw.trim()}\``;
  }
  return undefined;
}

/** The words of an identifier, lower case: `numCircles` and `NUM_CIRCLES` both give num, circles. */
function words(name: string): string[] {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().split(/_+/).filter((w) => w.length > 0);
}
