import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { agentImports, evaluatorFiles, loadsProgram, twoPhaseNote, type AgentImport } from './agentImports';
import { CONFIG_DIR, configPath } from './config';
import { peerInit } from './peerConfig';
import type { TrialSandbox } from './peerTrials';
import { detectPeerLayout } from './peerLayouts';
import { suiteInit } from './testSuiteConfig';
import { findTestSuites } from './testSuites';
import { WRITTEN } from './written';
import { usageError } from '../common/errors';
import { readTextIfExists, tryParseJson } from '../common/files';

export interface InitResult {
  configFile: string;
  evalCommand: string;
  /** Where the eval command was guessed from, or undefined for the placeholder. */
  guessedFrom?: string;
  editable: string[];
  protected: string[];
  context: string[];
  /** The OpenEvolve or ShinkaEvolve layout the config was written for, if any. */
  layout?: string;
  knobs: number;
  /** The evals of the test suites the config was written for, which init's caller then runs twice on the current version (loop/initCheck.ts). */
  suites?: string[];
  /** What init decided that the person should check. */
  notes: string[];
  next: string;
}

/** Run data stays out of git; the config and prompts are committed with the agent. */
const GITIGNORE = `# aiai's own data: records, logs, the lock, the audit log, the deploy journal and the lessons (the config is committed)
${WRITTEN.join('\n')}
`;

/**
 * Writes a commented starting `.aiai/config.json` and `.aiai/.gitignore`; for an
 * OpenEvolve or ShinkaEvolve project, a working config and the adapter its eval runs;
 * for test suites and promptfoo configs, an eval per suite that reads its report.
 * A peer's evaluator is tried out in `sandbox`, when one is given.
 */
export async function initWorkspace(workspace: string, sandbox?: TrialSandbox, progress?: (line: string) => void): Promise<InitResult> {
  const file = configPath(workspace);
  if (existsSync(file)) throw usageError(`${file} already exists; edit it, or delete it to start over`);
  mkdirSync(path.join(workspace, CONFIG_DIR), { recursive: true });
  const ignore = path.join(workspace, CONFIG_DIR, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, GITIGNORE);
  const layout = detectPeerLayout(workspace);
  if (layout) {
    const peer = await peerInit(workspace, layout, existsSync(path.join(workspace, 'README.md')), sandbox, progress);
    writeFileSync(file, peer.configText);
    const evaluatorText = readTextIfExists(path.join(workspace, layout.evaluator)) ?? '';
    // The adapter hands the evaluator the program's path, so loading whatever path it is given loads the program.
    const programImports: AgentImport[] = loadsProgram(evaluatorText)
      ? [{ evaluator: layout.evaluator, imported: layout.program, verb: 'imports' }]
      : agentImports(workspace, [layout.evaluator], peer.editable);
    const twoPhase = twoPhaseNote(programImports, 'the program');
    return {
      configFile: file,
      evalCommand: peer.evalCommand,
      guessedFrom: `the ${layout.label} layout (${layout.program}, ${layout.evaluator})`,
      editable: peer.editable,
      protected: peer.protected,
      context: peer.context,
      layout: layout.label,
      knobs: peer.knobs.length,
      notes: [...peer.notes, ...(twoPhase ? [twoPhase] : [])],
      next: `Next: \`aiai run\`; commit .aiai/ (the config and the adapter) to keep them with your project.`,
    };
  }
  const guess = guessEvalCommand(workspace);
  // An eval script of the project's own is its eval; otherwise its test suites are.
  const suites = guess?.explicit ? [] : findTestSuites(workspace);
  if (suites.length > 0) {
    const { configText: text, ...suite } = suiteInit(workspace, suites, existsSync(path.join(workspace, 'README.md')));
    writeFileSync(file, text);
    return { configFile: file, ...suite, knobs: 0, suites: suites.map((s) => s.kind), next: 'Next: check what was guessed above, then `aiai run`; commit .aiai/config.json to keep it with your project.' };
  }
  const editable = existingDirs(workspace, ['agent', 'prompts', 'src', 'lib']).map((d) => `${d}/**`);
  const protectedDirs = existingDirs(workspace, ['eval', 'evals', 'test', 'tests']);
  const imports = agentImports(workspace, evaluatorFiles(workspace, guess?.runs, protectedDirs), editable.length > 0 ? editable : ['src/**']);
  const twoPhase = twoPhaseNote(imports);
  const result: InitResult = {
    configFile: file,
    evalCommand: guess?.command ?? 'node eval/score.js',
    ...(guess ? { guessedFrom: guess.source } : {}),
    editable: editable.length > 0 ? editable : ['src/**'],
    protected: protectedDirs.map((d) => `${d}/**`),
    context: existsSync(path.join(workspace, 'README.md')) ? ['README.md'] : [],
    knobs: 0,
    notes: twoPhase ? [twoPhase] : [],
    next: 'Next: make the eval print metrics, set "objective", then `aiai run`.',
  };
  writeFileSync(file, configText(result, imports[0]));
  return result;
}

function configText(r: InitResult, agentImport: AgentImport | undefined): string {
  const list = (items: string[]): string => JSON.stringify(items);
  return `// aiai configuration. Schema: schema/aiai-config.schema.json in the aiai extension.
{
  // Files a proposer may change.
  "editable": ${list(r.editable)},
  // Files no proposal may touch; evaluations always see them as in the baseline.
  // .aiai/** and .git/** are always protected.
  "protected": ${list(r.protected)},
  // Read-only files a model proposer is shown for context.
  "context": ${list(r.context)},
  // Each eval runs in a throw-away git worktree of the candidate. It writes
  //   {"metrics": {"accuracy": 0.8}, "cases": [{"id": "t1", "passed": true}]}
  // to the file named by $AIAI_METRICS_FILE, or prints a JSON object of numbers
  // as its last line of output. A non-zero exit fails the candidate. A failing case
  // may also carry its evidence, which a model proposer reads to diagnose it:
  //   {"id": "t2", "passed": false, "input": …, "expected": …, "output": …, "feedback": "…"}
  "evals": [
    // ${r.guessedFrom ? `Guessed from ${r.guessedFrom}: make it print metrics as above.` : 'Replace with your own eval command.'}${
      agentImport ? `\n    // ${agentImport.evaluator} ${agentImport.verb} ${agentImport.imported}: make this eval two-phase (below).` : ''
    }
    { "name": "train", "command": ${JSON.stringify(r.evalCommand)}, "timeoutSec": 300 }
    // A gate runs first and stops a weak candidate early:
    //   { "name": "smoke", "command": "...", "timeoutSec": 30, "gate": { "metric": "accuracy", "min": 0.2 } }
    // A holdout eval runs only for candidates that improve; no proposer ever sees it:
    //   { "name": "holdout", "command": "...", "holdout": true }
    // Two phases, when the evaluator imports the agent (whose code could then read the answers
    // and write its own score): "command" runs the agent, which writes its outputs to
    // $AIAI_OUTPUTS_DIR while every "answers" file is absent; "grade" then scores them, apart.
    // "data": files present only while this eval runs, such as the holdout's inputs.
    //   { "name": "train", "command": "node eval/run.mjs train", "grade": "node eval/grade.mjs train",
    //     "answers": ["eval/answers/train.jsonl", "eval/grade.mjs"] }
    //   { "name": "holdout", "command": "node eval/run.mjs holdout", "grade": "node eval/grade.mjs holdout",
    //     "answers": ["eval/answers/holdout.jsonl", "eval/grade.mjs"], "data": ["eval/data/holdout.jsonl"], "holdout": true }
  ],
  // The metric to improve, reported by the eval named here.
  "objective": { "eval": "train", "metric": "score", "direction": "maximize", "minDelta": 0 },
  // Numeric knobs for the built-in parameter search (no network needed), e.g.
  //   { "file": "agent/config.json", "jsonPointer": "/temperature", "min": 0, "max": 1, "step": 0.1 }
  //   { "file": "agent/agent.py", "pattern": "MAX_STEPS = (\\\\d+)", "min": 1, "max": 20, "step": 1 }
  "knobs": [],
  "proposer": { "kind": "parameter-search" },
  // Candidates per run, and how many in a row may fail to improve before the run stops.
  // Patience is as large as the iterations: the first tries rarely improve.
  "budget": { "iterations": 10, "patience": 10 },
  "parallel": 1
}
`;
}

function existingDirs(workspace: string, names: string[]): string[] {
  return names.filter((n) => existsSync(path.join(workspace, n)));
}

interface GuessedEval {
  command: string;
  source: string;
  /** What the command runs in the end (the npm script, the make recipe): where the evaluator is named. */
  runs?: string;
  /** The project names it its eval (scripts.eval), rather than init taking its tests for one. */
  explicit?: boolean;
}

function guessEvalCommand(workspace: string): GuessedEval | undefined {
  const pkg = readTextIfExists(path.join(workspace, 'package.json'));
  if (pkg) {
    const scripts = (tryParseJson(pkg) as { scripts?: Record<string, string> } | undefined)?.scripts ?? {};
    if (scripts.eval) return { command: 'npm run --silent eval', source: 'package.json (scripts.eval)', runs: scripts.eval, explicit: true };
    if (scripts.test) return { command: 'npm test --silent', source: 'package.json (scripts.test)', runs: scripts.test };
  }
  if (existsSync(path.join(workspace, 'pyproject.toml'))) return { command: 'python3 -m pytest -q', source: 'pyproject.toml' };
  const makefile = readTextIfExists(path.join(workspace, 'Makefile'));
  if (makefile) {
    for (const target of ['eval', 'test']) {
      if (new RegExp(`^${target}:`, 'm').test(makefile)) return { command: `make -s ${target}`, source: `Makefile (${target} target)`, runs: recipe(makefile, target) };
    }
  }
  return undefined;
}

/** The commands of a Makefile target: the tab-indented lines after its rule. */
function recipe(makefile: string, target: string): string {
  const lines = makefile.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${target}:`));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('\t'));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}
