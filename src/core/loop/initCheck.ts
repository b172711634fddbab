import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SANDBOX, loadConfig, type Config } from '../config/config';
import { listedEvals } from '../config/evals';
import type { InitResult } from '../config/init';
import { pathPolicy } from '../config/pathPolicy';
import { evaluationsCost, type TrialSandbox } from '../config/peerTrials';
import { withRepeats } from '../config/testSuiteConfig';
import { errorMessage } from '../common/errors';
import type { EvalOutcome, Evaluation } from '../grade/evaluation';
import { Evaluator } from '../grade/evaluator';
import { chooseExecutor } from '../grade/executorChoice';
import { withLedger } from '../grade/ledger';
import { isolationFor, probeIsolation, sandboxed } from '../grade/sandbox';
import { Git } from '../git/git';
import { Worktrees } from '../git/worktrees';
import { formatNumber, lastLines } from '../../shared/format';
import { acquireRunLock } from './runLock';

/*
 * What `aiai init` runs after writing a config, where the engine's grading is at hand
 * (config/ may not import grade/): a test suite's evals graded twice on the current
 * version, and the sandbox that a peer's evaluator is tried out in.
 */

/** Runs per evaluation of an eval whose results differ between two runs, as for a peer's stochastic evaluator. */
const REPEATS = 3;
/** Failing cases named in a note; the rest are counted. */
const NAMED_CASES = 3;

/** The sandbox a peer's evaluator is tried out in, as its evals will run: none where bubblewrap cannot make one. */
export function trialSandbox(): TrialSandbox | undefined {
  const isolation = probeIsolation();
  if (isolation.kind === 'none') return undefined;
  return (command, { cwd, scratch }) => sandboxed(command.map(shellWord).join(' '), { cwd, scratch, config: DEFAULT_SANDBOX, isolation });
}

/** What to say before the suites run (they may take a while); undefined when init wrote no config for test suites. */
export function suiteCheckLine(result: InitResult): string | undefined {
  if (!result.suites) return undefined;
  return `checking the suite${result.suites.length > 1 ? 's' : ''} on the current version, twice: ${result.suites.join(', ')}, graded as \`aiai run\` grades it, to set "repeats" where the two runs differ`;
}

export interface SuiteCheck {
  notes: string[];
  /** The evals given "repeats". */
  repeated: string[];
}

/**
 * After init wrote a config for test suites: grades the current version (HEAD) twice
 * as a run grades its baseline, by the evaluator, the executor and the sandbox the
 * config gets, and sets "repeats" in the config on each eval whose results differ.
 * A split eval is graded whole: its views are two runs of its command, and one tells
 * of every case. Never throws: what kept it from running is said in a note.
 */
export async function checkSuites(workspace: string, result: InitResult): Promise<SuiteCheck> {
  if (!result.suites) return { notes: [], repeated: [] };
  try {
    return await gradeTwice(workspace, result.configFile);
  } catch (error) {
    return { notes: [`repeats: none set; the suite was not run on the current version (${errorMessage(error)})`], repeated: [] };
  }
}

async function gradeTwice(workspace: string, configFile: string): Promise<SuiteCheck> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const { isolation, refusal } = isolationFor(config.sandbox);
  if (refusal) return { notes: [`repeats: none set; the suite was not run on the current version (${refusal})`], repeated: [] };
  const lock = acquireRunLock(git.root);
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'aiai-init-'));
  try {
    const whole: Config = { ...config, evals: listedEvals(config.evals).map(({ view: _view, ...spec }) => spec) };
    const executor = await chooseExecutor(whole, git, await Worktrees.for(git), isolation);
    const head = await git.head();
    const started = Date.now();
    try {
      const evaluator = new Evaluator(git, whole, executor, pathPolicy(whole));
      const signal = new AbortController().signal;
      const grade = (): Promise<Evaluation> => evaluator.evaluate({ commit: head, label: 'baseline', base: head, logDir, signal, runHoldout: () => true });
      const runs = await withLedger(lock.ledger, async () => [await grade(), await grade()] as const);
      const where = isolation.kind === 'bubblewrap' ? 'in the sandbox' : `without a sandbox (${isolation.why}), as its evals will run`;
      const compared = compare(whole, runs[0], runs[1]);
      let text = readFileSync(configFile, 'utf8');
      for (const name of compared.repeated) text = withRepeats(text, name, REPEATS, `init ran this eval twice on the current version and its results differed: each evaluation runs it ${REPEATS} times`);
      if (compared.repeated.length > 0) writeFileSync(configFile, text);
      return { notes: [...compared.notes, `checked on the current version (${head.slice(0, 8)}), ${where}: ${evaluationsCost(runs.length, Date.now() - started)}`], repeated: compared.repeated };
    } finally {
      await executor.drain();
    }
  } finally {
    lock.release();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** Each eval's outcomes in the two gradings: which differ, and a note on each. */
function compare(config: Config, first: Evaluation, second: Evaluation): SuiteCheck {
  const notes: string[] = [];
  const repeated: string[] = [];
  for (const { name } of config.evals) {
    const [a, b] = [first, second].map((e) => e.evals.find((o) => o.name === name));
    if (!a && !b) continue;
    const [failedA, failedB] = [a, b].map((o) => (o && o.status !== 'passed' ? o : undefined));
    if (failedA && failedB) {
      notes.push(`repeats: none set on eval "${name}", which failed on both runs of the current version (${failure(failedA)}): fix it before \`aiai run\`, whose baseline it would fail`);
    } else if (!a || !b || failedA || failedB) {
      const failed = failedA ?? failedB;
      notes.push(`repeats: none set on eval "${name}", which failed on one of two runs of the current version only (${failed ? failure(failed) : 'an earlier eval failed on the other'}): a failing eval fails the version graded; check it before \`aiai run\``);
    } else {
      const metrics = [...new Set(['pass_rate', ...(config.objective.eval === name ? [config.objective.metric] : [])])];
      const differences = differ(a, b, metrics);
      if (differences.length > 0) {
        repeated.push(name);
        notes.push(`repeats: ${REPEATS} on eval "${name}", whose results differed between two runs of the current version (${differences.join('; ')}): each evaluation runs it ${REPEATS} times and grades the means`);
      } else {
        notes.push(`repeats: none set on eval "${name}": two runs of the current version agreed (${summary(a, metrics)})`);
      }
    }
  }
  return { notes, repeated };
}

/** What differs between two runs of one eval: the metrics named, and the cases that passed in one and failed in the other. */
function differ(a: EvalOutcome, b: EvalOutcome, metrics: string[]): string[] {
  const shown = (v: number | undefined): string => (v === undefined ? 'none' : formatNumber(v));
  const changed = metrics.filter((m) => a.metrics[m] !== b.metrics[m]).map((m) => `${m} ${shown(a.metrics[m])}, then ${shown(b.metrics[m])}`);
  const passedBefore = new Map(a.cases.map((c) => [c.id, c.passed]));
  const flipped = b.cases.filter((c) => passedBefore.has(c.id) && passedBefore.get(c.id) !== c.passed).map((c) => c.id);
  if (flipped.length === 0) return changed;
  const named = flipped.slice(0, NAMED_CASES).join(', ') + (flipped.length > NAMED_CASES ? ` and ${flipped.length - NAMED_CASES} more` : '');
  return [...changed, `${flipped.length} case${flipped.length === 1 ? '' : 's'} passed once and failed once: ${named}`];
}

function summary(o: EvalOutcome, metrics: string[]): string {
  const values = metrics.filter((m) => o.metrics[m] !== undefined).map((m) => `${m} ${formatNumber(o.metrics[m]!)}`);
  return [...values, `${o.cases.length} cases`].join(', ');
}

/** Why an eval failed, with the last line of its log: a runner that is missing says so there. */
function failure(o: EvalOutcome): string {
  const line = lastLines(o.logTail, 1).trim();
  return `${o.reason ?? o.status}${line ? `; its log ends: ${line}` : ''}`;
}

/** `word` as the shell reads it back, the same. */
function shellWord(word: string): string {
  return /^[\w./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
