import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { agentImports } from './agentImports';
import type { TestSuite } from './testSuites';
import { matcher } from './twoPhase';
import { inline, list } from './configText';

/** The share of each report's cases held out from every proposer, by a stable hash of their ids. */
const HOLDOUT_SHARE = 0.3;
const ITERATIONS = 10;
/** Folders that hold the agent by convention, editable when they exist. */
const AGENT_DIRS = ['agent', 'prompts', 'src', 'lib'];
const NOT_AGENT = new Set(['node_modules', '__pycache__', 'venv', 'vendor', 'dist', 'build', 'target', 'package.json', 'package-lock.json', 'README.md']);

export interface SuiteInit {
  configText: string;
  /** The objective eval's command. */
  evalCommand: string;
  guessedFrom: string;
  editable: string[];
  protected: string[];
  context: string[];
  notes: string[];
}

/** The config for the test suites and promptfoo config init found, with what it guessed, for the person to check. */
export function suiteInit(workspace: string, suites: TestSuite[], hasReadme: boolean): SuiteInit {
  const protectedGlobs = [...new Set(suites.flatMap((s) => s.protected))];
  const { editable, why } = guessEditable(workspace, suites, protectedGlobs);
  const [objective, ...others] = suites as [TestSuite, ...TestSuite[]];
  const evals = suites.map((s) => ({ name: s.kind, command: s.command, format: s.format, split: { holdout: HOLDOUT_SHARE }, timeoutSec: 600 }));
  // The runners of vitest, jest and promptfoo live in node_modules, which a worktree has only when it is linked in.
  const shared = suites.some((s) => ['vitest', 'jest', 'promptfoo'].includes(s.kind)) && existsSync(path.join(workspace, 'node_modules')) ? ['node_modules'] : [];
  const notes = [
    ...others.map((s) => `also ${s.kind} (${s.found}): eval "${s.kind}" runs ${s.command}`),
    `editable: ${editable.length > 0 ? editable.join(', ') : 'src/** (nothing better found: set "editable" to your agent\'s files)'}${why ? ` (${why})` : ''}; protected: ${protectedGlobs.join(', ')}`,
    `objective: pass_rate of "${objective.kind}"; each eval holds out ${HOLDOUT_SHARE * 100}% of its cases (by a hash of their ids) to grade an improving candidate, which no proposer sees`,
    'no knobs in a test suite for the parameter search to move, so a model proposes ("proposer": { "kind": "anthropic" }): set ANTHROPIC_API_KEY before `aiai run`',
    ...suites.flatMap((s) => s.notes),
  ];
  const text = configText({ editable: editable.length > 0 ? editable : ['src/**'], protectedGlobs, context: hasReadme ? ['README.md'] : [], suites, evals, shared });
  return {
    configText: text,
    evalCommand: objective.command,
    guessedFrom: `${article(objective.kind)} ${objective.kind} ${objective.kind === 'promptfoo' ? 'config' : 'suite'} (${objective.found})`,
    editable: editable.length > 0 ? editable : ['src/**'],
    protected: protectedGlobs,
    context: hasReadme ? ['README.md'] : [],
    notes,
  };
}

/**
 * The agent's files: what the suites name (promptfoo's prompts, Go's code), the
 * folders that hold an agent by convention, and the top folders or files the tests
 * import; with what the guess rests on.
 */
function guessEditable(workspace: string, suites: TestSuite[], protectedGlobs: string[]): { editable: string[]; why?: string } {
  const isProtected = matcher(protectedGlobs);
  const named = suites.flatMap((s) => s.editable);
  const conventional = AGENT_DIRS.filter((d) => existsSync(path.join(workspace, d)) && !isProtected(`${d}/x`)).map((d) => `${d}/**`);
  // Each top-level entry that is not a test, a dependency or a build is a place the agent may be.
  const tops = readdirSync(workspace, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && !NOT_AGENT.has(e.name) && (e.isDirectory() || /\.(?:py|[mc]?[jt]sx?)$/.test(e.name)))
    .map((e) => (e.isDirectory() ? `${e.name}/**` : e.name))
    .filter((glob) => !isProtected(glob.replace(/\*\*$/, 'x')));
  const imports = agentImports(workspace, suites.flatMap((s) => s.testFiles), tops);
  const imported = tops.filter((glob) => imports.some((i) => matcher([glob])(i.imported)));
  const found = [...new Set([...conventional, ...imported])];
  const covered = matcher(found);
  const editable = [...new Set([...named.filter((n) => !covered(n)), ...found])];
  const first = imports[0];
  const why = [named.length > 0 ? `${suites.filter((s) => s.editable.length > 0).map((s) => s.kind).join(' and ')} names ${named.join(', ')}` : '', first ? `${first.evaluator} imports ${first.imported}` : ''].filter(Boolean).join('; ');
  return { editable, ...(why ? { why } : {}) };
}

interface ConfigParts {
  editable: string[];
  protectedGlobs: string[];
  context: string[];
  suites: TestSuite[];
  evals: Array<Record<string, unknown>>;
  shared: string[];
}

function configText(p: ConfigParts): string {
  const objective = p.suites[0]!.kind;
  return `// aiai configuration, written by \`aiai init\` for the test suites it found: check it before the first run.
// Schema: schema/aiai-config.schema.json in the aiai extension.
{
  // Files a proposer may change: guessed from what the tests import and the prompts they name.
  "editable": ${list(p.editable)},
  // The tests, their data and their runner's settings: no proposal may touch them, and
  // evaluations always see them as in the baseline. .aiai/** and .git/** always are.
  "protected": ${list(p.protectedGlobs)},
  // Read-only files a model proposer is shown for context.
  "context": ${list(p.context)},
  // Each eval runs a suite in a throw-away git worktree of the candidate. Its runner writes
  // its report to $AIAI_REPORT_FILE: each test (or promptfoo result) a case, with its failure
  // as evidence for the proposer. A failing test fails no eval; only a missing or unreadable
  // report does. "split" holds out ${HOLDOUT_SHARE * 100}% of the cases by a stable hash of their ids: they
  // grade only an improving candidate, and no proposer ever sees them. The candidate's code
  // still runs on them; where that matters, use two commands, one per set of tests.
  "evals": [
${p.evals.map((e, i) => `    // ${p.suites[i]!.kind}: ${p.suites[i]!.found}\n    ${inline(e)}`).join(',\n')}
  ],
  "objective": { "eval": ${JSON.stringify(objective)}, "metric": "pass_rate", "direction": "maximize", "minDelta": 0 },${
    p.shared.length > 0 ? `\n  // Untracked folders linked into each evaluation worktree: the test runners are installed there.\n  "shared": ${list(p.shared)},` : ''
  }
  // A test suite has no numeric knobs for the built-in parameter search, so a model proposes:
  // it reads the failing tests' evidence. It needs ANTHROPIC_API_KEY (without one, the
  // parameter search stands in and has nothing to move).
  "knobs": [],
  "proposer": { "kind": "anthropic" },
  // Candidates per run, and how many in a row may fail to improve before the run stops.
  "budget": { "iterations": ${ITERATIONS}, "patience": ${ITERATIONS} },
  "parallel": 1
}
`;
}

/**
 * The config text with `"repeats"` set on the eval named `name` (on the line it is
 * written on, as every eval here is), after a comment saying `why`: the rest of the
 * text, its comments with it, as it was.
 */
export function withRepeats(text: string, name: string, repeats: number, why: string): string {
  const evals = findNodeAtLocation(parseTree(text)!, ['evals'])?.children ?? [];
  const spec = evals.find((e) => findNodeAtLocation(e, ['name'])?.value === name);
  const last = spec?.children?.at(-1);
  if (!spec || !last) return text;
  const end = last.offset + last.length;
  const lineStart = text.lastIndexOf('\n', spec.offset) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  return `${text.slice(0, lineStart)}${indent}// ${why}\n${text.slice(lineStart, end)}, "repeats": ${repeats}${text.slice(end)}`;
}



function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
