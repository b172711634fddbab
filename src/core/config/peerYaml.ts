/**
 * The few keys of OpenEvolve's `config.yaml` that init carries over, read without a
 * YAML parser (aiai ships none): a key one level under a top-level section, whose value
 * is a scalar (plain, quoted, or a `|` / `>` block) or a list of numbers (`[1.3]` or
 * `- 1.3` lines). Anything else reads as absent, and init says what it used.
 */

/** The text of `section:` → `key:`, as a string, or undefined when absent or not a scalar. */
export function yamlString(yaml: string, section: string, key: string): string | undefined {
  const found = findKey(yaml, section, key);
  if (!found) return undefined;
  const { rest, following, indent } = found;
  const block = /^([|>])[-+]?\s*(#.*)?$/.exec(rest);
  if (block) return blockScalar(following, indent, block[1] === '>');
  if (rest === '' || rest.startsWith('[') || rest.startsWith('{')) return undefined;
  // A quoted scalar may continue on more-indented lines; YAML folds them with spaces.
  const continued = [rest, ...takeWhile(following, (l) => l.trim() === '' || indentOf(l) > indent).map((l) => l.trim())].join(' ').trim();
  if (continued.startsWith('"')) return doubleQuoted(continued);
  if (continued.startsWith("'")) return /^'((?:[^']|'')*)'/.exec(continued)?.[1]?.replace(/''/g, "'");
  return rest.replace(/\s+#.*$/, '');
}

/** `section:` → `key:` as a number, if it is one. */
export function yamlNumber(yaml: string, section: string, key: string): number | undefined {
  const text = yamlString(yaml, section, key);
  return text !== undefined && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** `section:` → `key:` as a list of numbers, if it is one. */
export function yamlNumbers(yaml: string, section: string, key: string): number[] | undefined {
  const found = findKey(yaml, section, key);
  if (!found) return undefined;
  const items = found.rest.startsWith('[')
    ? (/^\[([^\]]*)\]/.exec(found.rest)?.[1] ?? '').split(',')
    : found.rest === ''
      ? takeWhile(found.following, (l) => /^\s*-\s/.test(l) || l.trim() === '').map((l) => l.replace(/^\s*-\s*/, ''))
      : [];
  const numbers = items.map((i) => i.replace(/#.*$/, '').trim()).filter((i) => i !== '').map(Number);
  return numbers.length > 0 && numbers.every(Number.isFinite) ? numbers : undefined;
}

interface FoundKey {
  /** What follows `key:` on its line, trimmed. */
  rest: string;
  /** The lines after it, up to the next line as little indented as the key. */
  following: string[];
  indent: number;
}

function findKey(yaml: string, section: string, key: string): FoundKey | undefined {
  const lines = yaml.replace(/\r/g, '').split('\n');
  const start = lines.findIndex((l) => new RegExp(`^${section}:\\s*(#.*)?$`).test(l));
  if (start === -1) return undefined;
  const body = takeWhile(lines.slice(start + 1), (l) => !/^\S/.test(l));
  const at = body.findIndex((l) => new RegExp(`^\\s+${key}:(\\s|$)`).test(l));
  if (at === -1) return undefined;
  const line = body[at]!;
  const indent = indentOf(line);
  const after = body.slice(at + 1);
  const following = takeWhile(after, (l) => l.trim() === '' || indentOf(l) > indent || /^\s*-\s/.test(l));
  return { rest: line.slice(line.indexOf(':') + 1).trim(), following, indent };
}

/** A `|` block keeps its lines; a `>` block folds them into one, a blank line staying a line break. */
function blockScalar(following: string[], indent: number, folded: boolean): string | undefined {
  const lines = takeWhile(following, (l) => l.trim() === '' || indentOf(l) > indent);
  const content = lines.filter((l) => l.trim() !== '');
  if (content.length === 0) return undefined;
  const margin = Math.min(...content.map(indentOf));
  const kept = lines.map((l) => l.slice(margin)).join('\n').trimEnd();
  return folded ? kept.split(/\n\s*\n/).map((p) => p.split('\n').join(' ')).join('\n') : kept;
}

function doubleQuoted(text: string): string | undefined {
  const literal = /^"((?:\\.|[^"\\])*)"/.exec(text)?.[0];
  if (literal === undefined) return undefined;
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

function takeWhile<T>(items: T[], keep: (item: T) => boolean): T[] {
  const end = items.findIndex((i) => !keep(i));
  return end === -1 ? items : items.slice(0, end);
}
