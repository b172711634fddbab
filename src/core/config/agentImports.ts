import { statSync } from 'node:fs';
import * as path from 'node:path';
import { projectFiles, readTextIfExists } from '../common/files';
import { commandPaths, matcher } from './twoPhase';

/*
 * An evaluator that imports the agent runs the candidate's code in its own process,
 * beside the answers and the metrics file: the case for a two-phase eval. Init reads
 * sources only (it runs none of the project's code), so this is a guess from the
 * text, bounded so that a large test tree or data folder cannot slow `aiai init`.
 */

/** An evaluator file that reaches into the editable files. */
export interface AgentImport {
  evaluator: string;
  imported: string;
  verb: 'imports' | 'reads' | 'runs';
}

const CODE = /\.(?:[mc]?[jt]s|[jt]sx|py)$/;
/** Enough to find an evaluator among a test tree's files; more would only slow init. */
const MAX_FILES = 200;
const MAX_ENTRIES = 5000;
const MAX_BYTES = 256 * 1024;
const JS_RESOLUTIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.tsx', '.jsx', '/index.js', '/index.ts'];

/**
 * The code files an eval may run, in the order worth reporting: those the eval's
 * command (or the script it runs) names, then those under the protected folders.
 */
export function evaluatorFiles(workspace: string, runs: string | undefined, folders: string[]): string[] {
  const named = runs === undefined ? [] : commandPaths(runs).filter((f) => CODE.test(f) && isFile(workspace, f));
  const walked = projectFiles(workspace, folders, { maxEntries: MAX_ENTRIES, maxFiles: MAX_FILES }, (f) => CODE.test(f));
  const found = new Set([...named, ...walked].slice(0, Math.max(named.length, MAX_FILES)));
  return [...found];
}

/** Each evaluator that imports, reads or starts an editable code file, with the first such file. */
export function agentImports(workspace: string, evaluators: string[], editable: string[]): AgentImport[] {
  const isEditable = matcher(editable);
  const found: AgentImport[] = [];
  for (const evaluator of evaluators) {
    const file = path.join(workspace, evaluator);
    // An editable "evaluator" is the candidate's own code, not a grader it could reach into.
    if (isEditable(evaluator) || (statSync(file, { throwIfNoEntry: false })?.size ?? Infinity) > MAX_BYTES) continue;
    const text = readTextIfExists(file) ?? '';
    // A two-phase eval's command writes outputs and no score: running the agent is its job.
    if (text.includes('AIAI_OUTPUTS_DIR') && !text.includes('AIAI_METRICS_FILE')) continue;
    const refs = [...(evaluator.endsWith('.py') ? pythonRefs(text) : jsRefs(text)), ...quotedCodePaths(text)];
    const hit = refs
      .map((ref) => ({ ...ref, imported: resolve(workspace, evaluator, ref) }))
      // A read of a prompt or a data file puts no code of the candidate's in the grader; a read of code is there to run it.
      .find((ref) => ref.imported !== undefined && isEditable(ref.imported) && (ref.verb === 'imports' || (CODE.test(ref.imported) && isFile(workspace, ref.imported))));
    if (hit?.imported !== undefined) found.push({ evaluator, imported: hit.imported, verb: hit.verb });
  }
  return found;
}

/**
 * OpenEvolve's and ShinkaEvolve's evaluators load the program they are given
 * (`program_path`) into their own process, by importlib or through run_shinka_eval.
 */
export function loadsProgram(evaluatorText: string): boolean {
  return /spec_from_file_location|exec_module|import_module|run_shinka_eval|runpy\.|\bexec\s*\(/.test(evaluatorText);
}

/** What init tells the person about an evaluator that imports the agent. */
export function twoPhaseNote(imports: AgentImport[], agent = 'the agent'): string | undefined {
  const [first, ...others] = imports;
  if (first === undefined) return undefined;
  const more = others.length === 0 ? '' : others.length === 1 ? ` (and 1 more evaluator file runs ${agent}'s code)` : ` (and ${others.length} more evaluator files run ${agent}'s code)`;
  return `${first.evaluator} ${first.verb} ${first.imported}${more}: the candidate's code runs inside your grader, where it can read the answers and write its own score. Split it into a "command" that runs ${agent} and writes its outputs to $AIAI_OUTPUTS_DIR, and a "grade" that scores those outputs, with the expected outputs in "answers" (aiai's README: Two-phase evaluations).`;
}

interface Ref {
  /** A module path (slashes), or a path as written in the source. */
  target: string;
  /** Relative to the evaluator's folder (`./`, `../`, Python's leading dots) rather than the workspace. */
  local: boolean;
  python: boolean;
  /** For `from A import B`: B, which may be a module of package A. */
  member?: string;
  verb: AgentImport['verb'];
}

/** `import … from 'x'`, `import 'x'`, `export … from 'x'`, `require('x')`, `import('x')`; reads by `readFileSync`, `new URL`. */
function jsRefs(text: string): Ref[] {
  const specifiers = [
    ...[...text.matchAll(/\b(?:import|export)\s+(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]/g)].map((m) => ({ spec: m[1]!, verb: 'imports' as const })),
    ...[...text.matchAll(/\b(?:require|import)\s*\(\s*['"`]([^'"`$]+)['"`]\s*\)/g)].map((m) => ({ spec: m[1]!, verb: 'imports' as const })),
    ...[...text.matchAll(/\b(?:readFileSync|readFile)\s*\(\s*['"`]([^'"`$]+)['"`]/g)].map((m) => ({ spec: m[1]!, verb: 'reads' as const })),
    ...[...text.matchAll(/\bnew\s+URL\s*\(\s*['"`]([^'"`$]+)['"`]\s*,\s*import\.meta\.url/g)].map((m) => ({ spec: `./${m[1]!}`, verb: 'reads' as const })),
  ];
  return specifiers.map(({ spec, verb }) => ({ target: spec, local: spec.startsWith('.'), python: false, verb }));
}

/** `import a.b`, `from a.b import c`, `from ..a import b`, `importlib.import_module("a.b")`, a file loaded by path, `open("…")`. */
function pythonRefs(text: string): Ref[] {
  const refs: Ref[] = [];
  for (const m of text.matchAll(/^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?\s*(\w+)/gm)) {
    const [, dots = '', module = '', member] = m;
    // One dot is the evaluator's own package; each further dot, one folder up.
    const up = '../'.repeat(Math.max(0, dots.length - 1));
    refs.push({ target: `${up}${module.replace(/\./g, '/')}`, local: dots !== '', python: true, ...(member ? { member } : {}), verb: 'imports' });
  }
  for (const m of text.matchAll(/^\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)/gm)) {
    for (const part of m[1]!.split(',')) refs.push({ target: part.trim().split(/\s+/)[0]!.replace(/\./g, '/'), local: false, python: true, verb: 'imports' });
  }
  for (const m of text.matchAll(/\b(?:import_module|__import__)\s*\(\s*['"]([\w.]+)['"]/g)) refs.push({ target: m[1]!.replace(/\./g, '/'), local: false, python: true, verb: 'imports' });
  for (const m of text.matchAll(/\b(?:spec_from_file_location\s*\(\s*['"][^'"]*['"]\s*,|run_path\s*\()\s*['"]([^'"]+)['"]/g)) refs.push({ target: m[1]!, local: false, python: false, verb: 'imports' });
  for (const m of text.matchAll(/\bopen\s*\(\s*['"]([^'"]+)['"]/g)) refs.push({ target: m[1]!, local: false, python: false, verb: 'reads' });
  return refs;
}

/**
 * Any other quoted path of a code file, as a program the evaluator starts names it
 * (`spawn('node', ['agent/main.mjs'])`, `subprocess.run(["python3", "agent/cli.py"])`):
 * a child of the grader runs where the grader does, answers and metrics file included.
 */
function quotedCodePaths(text: string): Ref[] {
  return [...text.matchAll(/['"`]([\w./-]+\.(?:[mc]?[jt]s|[jt]sx|py))['"`]/g)].map((m) => ({ target: m[1]!, local: m[1]!.startsWith('.'), python: false, verb: 'runs' }));
}

/**
 * The workspace path a reference reaches: an existing file when one fits, else the
 * path as written; undefined outside the workspace. A non-local reference is tried
 * from the workspace (where evals run) and then from the evaluator's folder.
 */
function resolve(workspace: string, evaluator: string, ref: Ref): string | undefined {
  const from = ref.local ? [path.posix.dirname(evaluator)] : ['.', path.posix.dirname(evaluator)];
  const bases = from.map((dir) => path.posix.join(dir, ref.target).replace(/\/$/, '')).filter((p) => p !== '..' && !p.startsWith('../') && !path.posix.isAbsolute(p));
  const forms = (base: string): string[] =>
    ref.python
      ? [...(ref.member ? [`${base}/${ref.member}.py`] : []), `${base}.py`, `${base}/__init__.py`]
      : [...JS_RESOLUTIONS.map((ext) => `${base}${ext}`), base.replace(/\.js$/, '.ts')];
  return bases.flatMap(forms).find((f) => isFile(workspace, f)) ?? bases[0];
}

function isFile(workspace: string, rel: string): boolean {
  return statSync(path.join(workspace, rel), { throwIfNoEntry: false })?.isFile() ?? false;
}

