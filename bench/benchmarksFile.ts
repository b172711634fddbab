import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The search's section runs to the end of BENCHMARKS.md; a new section goes before it. */
export const SEARCH_HEADING = '## The parameter search against random search';

/**
 * Writes `section` (which starts with `heading`) into BENCHMARKS.md in place of its
 * earlier version; else before the search's section, else at the end.
 */
export function writeSection(file: string, heading: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const at = text.indexOf(heading);
  if (at >= 0) {
    const next = text.indexOf('\n## ', at + heading.length);
    writeFileSync(file, `${text.slice(0, at)}${section}${next < 0 ? '' : `\n${text.slice(next + 1)}`}`);
    return;
  }
  const search = heading === SEARCH_HEADING ? -1 : text.indexOf(SEARCH_HEADING);
  if (search >= 0) writeFileSync(file, `${text.slice(0, search)}${section}\n${text.slice(search)}`);
  else writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
}
