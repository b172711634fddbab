/*
 * The files a promptfoo config names, read for `aiai init`: its prompts (which a
 * proposer may change), its tests and providers. No YAML parser is a dependency of
 * aiai, and init needs only the `file://` references under three top-level keys, so
 * this reads those keys' blocks as text: a block list, a flow list or one scalar.
 */

/** The config files promptfoo reads by default, in the order it looks for them. */
export const PROMPTFOO_CONFIGS = ['promptfooconfig.yaml', 'promptfooconfig.yml'];

export interface PromptfooFiles {
  /** Prompt files or globs (`prompts/*.txt`), relative to the workspace. */
  prompts: string[];
  /** Whether some prompt is written inline in the config, where no proposer may change it. */
  inlinePrompts: boolean;
  /** Test and data files or globs the tests name. */
  tests: string[];
  /** Provider scripts in the workspace (`file://provider.py`, `python:model.py`, `exec: node agent.js`). */
  providers: string[];
}

/** The files a promptfoo config at the workspace's root names. */
export function promptfooFiles(yaml: string): PromptfooFiles {
  const prompts = block(yaml, 'prompts');
  const entries = listEntries(prompts);
  const tests = block(yaml, 'tests');
  return {
    prompts: [...new Set([...fileRefs(prompts), ...barePaths(entries)])],
    // An entry that names no file is a prompt's text, in the config itself. A quoted entry
    // is a scalar whatever it holds; an unquoted `key:` starts an object, whose `raw` is a prompt's text.
    inlinePrompts: entries.some((e) => !e.includes('file://') && !BARE_PATH.test(e) && (/^['"]/.test(e) || /^raw\s*:/.test(e) || !/^[\w-]+\s*:/.test(e))),
    tests: [...new Set([...fileRefs(tests), ...barePaths(listEntries(tests)), ...fileRefs(block(yaml, 'defaultTest')), ...fileRefs(block(yaml, 'scenarios'))])],
    providers: [...new Set([...fileRefs(block(yaml, 'providers')), ...scriptRefs(block(yaml, 'providers'))])],
  };
}

/** A list entry that is a file's path without `file://` (`prompts/route.txt`, `tests.csv`), which promptfoo reads as that file. */
const BARE_PATH = /^['"]?([\w./*@-]+\.(?:txt|md|json|jsonl|ya?ml|csv|j2|py|[mc]?[jt]s|xlsx?))['"]?$/;

function barePaths(entries: string[]): string[] {
  return entries.flatMap((e) => {
    const path = BARE_PATH.exec(e)?.[1];
    return path ? [normal(path)] : [];
  });
}

/** The text of a top-level key's value: what follows `key:` on its line and the lines under it. */
function block(yaml: string, key: string): string {
  const lines = yaml.split(/\r?\n/);
  const start = lines.findIndex((l) => new RegExp(`^${key}\\s*:`).test(l));
  if (start === -1) return '';
  const out = [lines[start]!.replace(new RegExp(`^${key}\\s*:`), '')];
  for (const line of lines.slice(start + 1)) {
    // The block ends at the next top-level key; a list may sit at the key's own indentation.
    if (/^[^\s#-]/.test(line)) break;
    out.push(line);
  }
  return out.map(withoutComment).join('\n');
}

/** The entries of a block, as written (quotes kept): each `- item` of a block list, each item of a flow list, or the one scalar. */
function listEntries(text: string): string[] {
  const flow = /^\s*\[([\s\S]*)\]\s*$/.exec(text);
  if (flow) return flow[1]!.split(',').map((e) => e.trim()).filter(Boolean);
  const items = [...text.matchAll(/^\s*-\s+(.*)$/gm)].map((m) => m[1]!.trim());
  if (items.length > 0) return items;
  const scalar = text.trim();
  return scalar ? [scalar] : [];
}

/** Every `file://path` in a block, as a workspace path (a function suffix such as `:make_prompt` dropped). */
function fileRefs(text: string): string[] {
  return [...new Set([...text.matchAll(/file:\/\/([^\s'",\]}]+)/g)].map((m) => normal(m[1]!.replace(/^(.*\.(?:py|[mc]?[jt]s)):\w+$/, '$1'))))];
}

/** Scripts a provider runs by another form: `python:model.py`, `exec: python3 agent/model.py`. */
function scriptRefs(text: string): string[] {
  const found = [...text.matchAll(/\b(?:python|golang|ruby):\s*([\w./-]+\.\w+)/g), ...text.matchAll(/\bexec:\s*[^\n]*?([\w./-]+\.(?:py|[mc]?js|ts|sh|rb|go))\b/g)];
  return found.map((m) => normal(m[1]!));
}

function withoutComment(line: string): string {
  return line.replace(/(^|\s)#.*$/, '');
}

function normal(ref: string): string {
  return ref.replace(/^\.\//, '');
}
