import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { PEER_ADAPTER_FILE, writePeerAdapter } from '../config/peerAdapter';
import type { Config, EvalSpec, Gate } from '../config/config';
import type { Git } from '../git/git';
import type { CaseResult, Metrics, ParsedMetrics } from './metrics';
import { readReport } from './reportFormat';
import { round } from '../common/numbers';
import { MODEL_METRIC_PREFIX, type EvalMeter } from '../gateway/evalMeter';
import type { ModelGateway } from '../gateway/gateway';
import type { PathPolicy } from '../config/pathPolicy';
import type { EvalOutcome, Evaluation } from './evaluation';
import type { EvalRun, Executor } from './executor';
import { ArrangedCheckout, EvalFiles, graderView } from './evalFiles';
import { runTwoPhases, type PhasedRun } from './twoPhase';
import { LeakGuard } from './leakGuard';
import type { CaseHistory } from './caseHistory';
import { race } from './race';
import { casesContractProblem, mergedBatches, raceable, raceCase, raceRule, raceSeed } from './racing';

/** An evaluation's checkout of the candidate, and the arrangement of its restricted files. */
interface Checkout {
  dir: string;
  checkout: ArrangedCheckout;
}

export interface EvaluateOptions {
  commit: string;
  /** Names the worktree and the logs: a candidate id, or "baseline". */
  label: string;
  /** The version whose protected files the evaluation must see. */
  base: string;
  /** The paths that differ between base and commit, when the caller knows them already. */
  changedPaths?: string[];
  logDir: string;
  signal: AbortSignal;
  /** Whether the holdout evals run, given the gate and train results. */
  runHoldout(trainSide: EvalOutcome[]): boolean;
  /** The parent's grading, which a racing eval races the candidate against, case by case. */
  raceAgainst?: Pick<Evaluation, 'evals'>;
  /** The run's gradings so far, case by case: a race runs first the cases on which versions disagreed. */
  caseHistory?: CaseHistory;
}

/** Thrown when the loop is stopped mid-evaluation; the candidate is discarded. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/**
 * Grades a commit: has the executor check it out, restores protected files from
 * the base, runs the cascade (gates, then train, then holdout when asked) through
 * the executor, and reports any protected file the evals changed.
 */
export class Evaluator {
  constructor(
    private readonly git: Git,
    private readonly config: Config,
    private readonly executor: Executor,
    private readonly policy: PathPolicy,
    /** Where evals call their model, metered; none for a caller that grades no agent of its own. */
    private readonly gateway?: ModelGateway,
  ) {
    this.files = new EvalFiles(config.evals, config.editable);
    this.leakGuard = new LeakGuard(git, policy, config.evals);
  }

  private readonly files: EvalFiles;
  private readonly leakGuard: LeakGuard;

  async evaluate(options: EvaluateOptions): Promise<Evaluation> {
    const started = Date.now();
    const dir = await this.executor.prepare(options.commit);
    try {
      await this.restoreProtected(dir, options);
      await this.supplyAdapter(dir, options.commit);
      const checkout = await ArrangedCheckout.of(this.git, dir, this.files);
      const gates = this.config.evals.filter((e) => e.gate && !e.holdout);
      const train = this.config.evals.filter((e) => !e.gate && !e.holdout);
      const holdout = this.config.evals.filter((e) => e.holdout);

      const outcomes: EvalOutcome[] = [];
      let failure = await this.runAll([...gates, ...train], { dir, checkout }, options, outcomes);
      if (!failure && holdout.length > 0 && options.runHoldout(outcomes)) {
        failure = await this.runAll(holdout, { dir, checkout }, options, outcomes);
      }
      const planted = await checkout.restore();
      return {
        commit: options.commit,
        ok: failure === undefined,
        ...(failure ? { reason: failure } : {}),
        evals: outcomes,
        tamperedPaths: [...new Set([...(await this.tamperedPaths(dir, options.base)), ...planted])],
        durationMs: Date.now() - started,
      };
    } finally {
      this.executor.release(dir);
    }
  }

  /** Runs evals in order until one fails or leaks; returns why it failed. */
  private async runAll(specs: EvalSpec[], dir: Checkout, options: EvaluateOptions, outcomes: EvalOutcome[]): Promise<string | undefined> {
    for (const spec of specs) {
      const parent = spec.race ? options.raceAgainst?.evals.find((e) => e.name === spec.name) : undefined;
      const ran = raceable(parent) ? await this.runRace(spec, dir, options, parent) : caseDerived(spec, await this.runOne(spec, dir, options));
      if (ran.status === 'interrupted') throw new Interrupted();
      const outcome = await this.screen(ran, spec, options);
      outcomes.push(outcome);
      if (outcome.status !== 'passed') return `${spec.name}: ${outcome.reason ?? outcome.status}`;
      if (outcome.leaked) return `${spec.name}: leak: what it would show a proposer held content of ${outcome.leaked.join(', ')}, which no proposer may see; it is withheld`;
    }
    return undefined;
  }

  /**
   * Makes a grading of the base version the reference that its candidates are
   * checked against for leaks: what it shows a proposer (the grader's messages, the
   * train cases) is no leak. A grading of the base made here is one already; one
   * reused from an earlier run must be handed over before candidates are graded.
   */
  async trust(base: string, evaluation: Pick<Evaluation, 'evals'>): Promise<void> {
    for (const outcome of evaluation.evals) if (!outcome.holdout) await this.leakGuard.trust(base, outcome);
  }

  /** A train-side outcome, with the secret files whose content it would show a proposer; the base's own outcomes are the reference. */
  private async screen(outcome: EvalOutcome, spec: EvalSpec, options: EvaluateOptions): Promise<EvalOutcome> {
    if (spec.holdout) return outcome;
    if (options.commit === options.base) {
      await this.trust(options.base, { evals: [outcome] });
      return outcome;
    }
    const leaked = await this.leakGuard.leaks(options.base, outcome, spec);
    return leaked.length > 0 ? { ...outcome, leaked } : outcome;
  }

  /** Runs an eval `repeats` times; its metrics are the means, with their spread when repeated. */
  private async runOne(spec: EvalSpec, dir: Checkout, options: EvaluateOptions): Promise<EvalOutcome> {
    const logFile = (i: number): string => path.join(options.logDir, `${options.label}-${spec.name}${spec.repeats > 1 ? `-${i + 1}` : ''}.log`);
    const measured = (o: EvalOutcome): boolean => o.status === 'passed' || o.status === 'gate-failed';
    const first = await this.runOnce(spec, dir, options, logFile(0), 1);
    if (spec.repeats === 1 || !measured(first)) return first;
    const runs = [first];
    for (let i = 1; i < spec.repeats; i++) {
      const outcome = await this.runOnce(spec, dir, options, logFile(i), i + 1);
      if (!measured(outcome)) return outcome;
      runs.push(outcome);
    }
    const metrics: Record<string, number> = {};
    const spread: Record<string, number> = {};
    // The gateway writes a model.* metric only when it is not zero: a run without it had none.
    const names = new Set([...Object.keys(first.metrics), ...runs.flatMap((r) => Object.keys(r.metrics).filter((n) => n.startsWith(MODEL_METRIC_PREFIX)))]);
    for (const name of names) {
      const values = runs.map((r) => r.metrics[name] ?? (name.startsWith(MODEL_METRIC_PREFIX) ? 0 : undefined)).filter((v): v is number => v !== undefined);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      metrics[name] = round(mean);
      spread[name] = round(Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1)));
    }
    const gateProblem = spec.gate ? checkGate(spec.gate, metrics) : undefined;
    return {
      ...first,
      metrics,
      repeated: { runs: runs.length, spread },
      durationMs: runs.reduce((n, r) => n + r.durationMs, 0),
      ...(gateProblem ? { status: 'gate-failed', reason: gateProblem } : { status: 'passed' }),
    };
  }

  /**
   * Races the candidate against its parent on a racing eval (grade/race.ts): batches
   * of the parent's cases, each run with $AIAI_CASES_FILE listing them, until the race
   * stops it or every case ran. A batch that fails, or reports other cases than it
   * was asked for, fails the eval as a failed run would.
   */
  private async runRace(spec: EvalSpec, dir: Checkout, options: EvaluateOptions, parent: EvalOutcome): Promise<EvalOutcome> {
    const objective = this.config.objective;
    const batches: EvalOutcome[] = [];
    let failed: EvalOutcome | undefined;
    const end = await race(parent.cases.map((c) => raceCase(c, objective)), raceSeed(options.label), raceRule(objective), async (ids) => {
      const logFile = path.join(options.logDir, `${options.label}-${spec.name}-batch-${batches.length + 1}.log`);
      const outcome = await this.runOnce(spec, dir, options, logFile, 1, ids);
      const problem = outcome.status === 'passed' ? casesContractProblem(ids, outcome.cases) : undefined;
      if (outcome.status !== 'passed' || problem) {
        failed = problem ? { ...outcome, status: 'failed', reason: problem } : outcome;
        return undefined;
      }
      batches.push(outcome);
      return outcome.cases.map((c) => raceCase(c, objective));
    }, options.caseHistory?.disagreement(spec.name, parent.cases));
    const raced = { cases: batches.reduce((n, b) => n + b.cases.length, 0), of: parent.cases.length };
    if (!end) return { ...failed!, raced };
    const merged = { ...mergedBatches(batches), raced };
    return end.stopped ? { ...merged, status: 'raced-out', reason: end.stopped.message } : { ...merged, status: 'passed' };
  }

  private async runOnce(spec: EvalSpec, { dir, checkout }: Checkout, options: EvaluateOptions, logFile: string, repeat: number, cases?: string[]): Promise<EvalOutcome> {
    await checkout.arrange((file) => this.files.shows(file, spec, 'run'));
    const grant = this.gateway?.grant({ label: options.label, eval: spec.name, repeat });
    let meter: EvalMeter | undefined;
    const request = { spec, checkout: dir, label: options.label, repeat, logFile, signal: options.signal, ...(grant ? { gateway: grant } : {}), ...(cases ? { cases } : {}) };
    const { run, result, gradeLog, problem } = await (
      spec.grade === undefined ? this.executor.run(request).then((only): PhasedRun => ({ run: only, result: only })) : runTwoPhases(this.executor, request, () => this.graderCheckout(spec, options.base))
    )
      // The stand-in key dies with the eval run, whatever ended it.
      .finally(() => (meter = grant?.end()));
    const graded = result && gradeLog !== undefined ? { logFile: gradeLog, logTail: result.logTail, exitCode: result.exitCode, durationMs: result.durationMs } : undefined;
    const base = {
      name: spec.name,
      holdout: spec.holdout,
      gate: spec.gate !== undefined,
      ...(spec.view?.part === 'train' ? { ranHoldoutCases: true as const } : {}),
      exitCode: run.exitCode,
      durationMs: run.durationMs + (graded?.durationMs ?? 0),
      logFile,
      logTail: run.logTail,
      ...(graded ? { graded } : {}),
      // What a failed eval spent is measured all the same: the money is gone.
      metrics: meter?.metrics() ?? {},
      cases: [],
    };
    if (run.aborted || result?.aborted) return { ...base, status: 'interrupted' };
    if (meter && meter.refusedForBudget > 0) {
      return { ...base, status: 'failed', reason: `the model gateway refused ${meter.refusedForBudget} call(s) of this eval: ${this.gateway?.budgetProblem() ?? 'the evaluation budget is spent'}` };
    }
    // A report's exit code is the writer's own: the command's in a one-phase eval, the grader's in a two-phase one.
    const reports = spec.format !== 'aiai';
    const failure = this.failure(run, spec, undefined, reports && spec.grade === undefined) ?? problem ?? (result && gradeLog !== undefined ? this.failure(result, spec, gradeLog, reports) : undefined);
    if (failure) return { ...base, ...failure };
    if (!result) return { ...base, status: 'failed', reason: 'the grader did not run' };
    const parsed = this.parsed(spec, result, gradeLog);
    if (!parsed.ok) return { ...base, status: 'unparsable', reason: parsed.reason };
    const forged = Object.keys(parsed.metrics).filter((name) => name.startsWith(MODEL_METRIC_PREFIX));
    if (forged.length > 0) {
      return { ...base, status: 'unparsable', reason: `the eval wrote ${forged.map((n) => `"${n}"`).join(', ')}: metrics named ${MODEL_METRIC_PREFIX}* belong to aiai's model gateway, which measures them itself` };
    }
    const metered = meter ? withModelUsage(parsed.metrics, parsed.cases, meter) : parsed;
    const measured = { ...base, metrics: metered.metrics, cases: metered.cases, ...(parsed.feedback ? { feedback: parsed.feedback } : {}), ...(parsed.cut ? { cut: parsed.cut } : {}) };
    const gateProblem = spec.gate ? checkGate(spec.gate, metered.metrics) : undefined;
    return gateProblem ? { ...measured, status: 'gate-failed', reason: gateProblem } : { ...measured, status: 'passed' };
  }

  /**
   * What the eval wrote, read in its format. When a report could not be read, the
   * writer's exit code is said too: it is the likelier story (a test runner that crashed).
   */
  private parsed(spec: EvalSpec, result: EvalRun, graderLog: string | undefined): ParsedMetrics {
    const mustKeep = [this.config.objective.metric, ...(spec.gate ? [spec.gate.metric] : [])];
    const parsed: ParsedMetrics = result.written && 'problem' in result.written ? { ok: false, reason: result.written.problem } : readReport(spec.format, result.written?.text, result.stdoutTail, mustKeep, spec.view);
    if (parsed.ok || !result.exitCode) return parsed;
    return { ok: false, reason: `${parsed.reason} (${graderLog !== undefined ? 'the grader' : 'the command'} exited with code ${result.exitCode})` };
  }

  /**
   * Why a run of the command, or of the grader (named by its log), fails the candidate,
   * if it does. One that writes a report (`exitWithReport`) may exit non-zero: a test
   * runner does when a test fails, which its report tells case by case.
   */
  private failure(run: EvalRun, spec: EvalSpec, graderLog?: string, exitWithReport = false): Pick<EvalOutcome, 'status' | 'reason'> | undefined {
    const who = graderLog !== undefined ? 'the grader was ' : '';
    if (run.tooManyProcesses) return { status: 'failed', reason: `${who}killed for running more than ${this.config.sandbox.maxProcesses} processes at once (sandbox.maxProcesses)` };
    if (run.timedOut) return { status: 'timeout', reason: `timeout: ${run.killedBy ?? `${who}killed after ${spec.timeoutSec}s with every process it started`}` };
    if (run.killedBy) return { status: 'failed', reason: `${graderLog !== undefined ? 'the grader: ' : ''}${run.killedBy}` };
    if (run.exitCode === 0 || (exitWithReport && run.exitCode !== null)) return undefined;
    const how = run.exitCode === null ? `was killed by ${run.signal ?? 'a signal'}` : `exited with code ${run.exitCode}`;
    return { status: 'failed', reason: graderLog !== undefined ? `the grader ${how} (its log: ${graderLog})` : `the command ${how}` };
  }

  /** A checkout of the baseline where the grader of `spec` runs: no editable file, and no restricted file but its own. */
  private async graderCheckout(spec: EvalSpec, base: string): Promise<string> {
    const dir = await this.executor.prepare(base);
    try {
      await graderView(this.git, dir, this.files, spec);
      return dir;
    } catch (error) {
      this.executor.release(dir);
      throw error;
    }
  }

  private async restoreProtected(dir: string, { base, commit, changedPaths }: EvaluateOptions): Promise<void> {
    if (base === commit) return;
    const drifted = (changedPaths ?? (await this.git.changedPaths(base, commit))).filter((p) => this.policy.isProtected(p));
    if (drifted.length === 0) return;
    const inBase = new Set((await this.git.lsTree(base, drifted)).map((e) => e.path));
    const restore = drifted.filter((p) => inBase.has(p));
    if (restore.length > 0) await this.git.raw(['checkout', base, '--', ...restore], { cwd: dir });
    for (const p of drifted.filter((p) => !inBase.has(p))) rmSync(path.join(dir, p), { force: true });
  }

  /**
   * The adapter for an OpenEvolve or ShinkaEvolve evaluator is built in: an eval that
   * runs it gets aiai's own copy when the version graded has none committed, so `aiai
   * init` then `aiai run` works before anything is committed. A committed copy, which
   * a person may have read or changed, is used as it is.
   */
  private async supplyAdapter(dir: string, commit: string): Promise<void> {
    if (!this.config.evals.some((e) => e.command.includes(PEER_ADAPTER_FILE))) return;
    if ((await this.git.lsTree(commit, [PEER_ADAPTER_FILE])).length === 0) writePeerAdapter(dir);
  }

  /** Protected files that differ from the base in the worktree; git looks at those paths only. */
  private async tamperedPaths(dir: string, base: string): Promise<string[]> {
    const pathspecs = this.policy.protectedGlobs.map((g) => `:(glob)${g}`);
    const out = await this.git.raw(['diff', '--name-only', '-z', '--no-renames', base, '--', ...pathspecs], { cwd: dir });
    return out
      .split('\0')
      .filter(Boolean)
      .filter((p) => this.policy.isProtected(p));
  }
}

/** The eval's metrics with the gateway's model.* beside them, and each tagged case with its calls. */
function withModelUsage(metrics: Metrics, cases: CaseResult[], meter: EvalMeter): { metrics: Metrics; cases: CaseResult[] } {
  const byCase = meter.byCase();
  return {
    metrics: { ...metrics, ...meter.metrics() },
    cases: byCase.size === 0 ? cases : cases.map((c) => {
      const model = byCase.get(c.id);
      return model ? { ...c, model } : c;
    }),
  };
}

function checkGate(gate: Gate, metrics: Record<string, number>): string | undefined {
  const value = metrics[gate.metric];
  if (value === undefined) return `gate: the eval reported no "${gate.metric}" metric`;
  if (gate.min !== undefined && value < gate.min) return `gate: ${gate.metric} ${value} is below the minimum ${gate.min}`;
  if (gate.max !== undefined && value > gate.max) return `gate: ${gate.metric} ${value} is above the maximum ${gate.max}`;
  return undefined;
}

/**
 * A racing eval's outcome when it ran whole (the baseline, a draft, a parent not
 * raceable): its metrics computed from its cases, as a race computes them, so that a
 * candidate's raced metrics and its parent's are the same measure.
 */
function caseDerived(spec: EvalSpec, outcome: EvalOutcome): EvalOutcome {
  return spec.race && outcome.status === 'passed' && outcome.cases.length > 0 ? mergedBatches([outcome]) : outcome;
}
