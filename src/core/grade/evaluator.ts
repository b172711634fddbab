import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { PEER_ADAPTER_FILE, writePeerAdapter } from '../config/peerAdapter';
import type { Config, EvalSpec, Gate } from '../config/config';
import type { Git } from '../git/git';
import { parseMetrics, round, type CaseResult, type Metrics } from './metrics';
import { MODEL_METRIC_PREFIX, type EvalMeter } from '../gateway/evalMeter';
import type { ModelGateway } from '../gateway/gateway';
import type { PathPolicy } from '../config/pathPolicy';
import type { EvalOutcome, Evaluation } from './evaluation';
import type { Executor } from './executor';

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
  ) {}

  async evaluate(options: EvaluateOptions): Promise<Evaluation> {
    const started = Date.now();
    const dir = await this.executor.prepare(options.commit);
    try {
      await this.restoreProtected(dir, options);
      await this.supplyAdapter(dir, options.commit);
      const gates = this.config.evals.filter((e) => e.gate && !e.holdout);
      const train = this.config.evals.filter((e) => !e.gate && !e.holdout);
      const holdout = this.config.evals.filter((e) => e.holdout);

      const outcomes: EvalOutcome[] = [];
      let failure = await this.runAll([...gates, ...train], dir, options, outcomes);
      if (!failure && holdout.length > 0 && options.runHoldout(outcomes)) {
        failure = await this.runAll(holdout, dir, options, outcomes);
      }
      return {
        commit: options.commit,
        ok: failure === undefined,
        ...(failure ? { reason: failure } : {}),
        evals: outcomes,
        tamperedPaths: await this.tamperedPaths(dir, options.base),
        durationMs: Date.now() - started,
      };
    } finally {
      this.executor.release(dir);
    }
  }

  /** Runs evals in order until one fails; returns why it failed. */
  private async runAll(specs: EvalSpec[], dir: string, options: EvaluateOptions, outcomes: EvalOutcome[]): Promise<string | undefined> {
    for (const spec of specs) {
      const outcome = await this.runOne(spec, dir, options);
      if (outcome.status === 'interrupted') throw new Interrupted();
      outcomes.push(outcome);
      if (outcome.status !== 'passed') return `${spec.name}: ${outcome.reason ?? outcome.status}`;
    }
    return undefined;
  }

  /** Runs an eval `repeats` times; its metrics are the means, with their spread when repeated. */
  private async runOne(spec: EvalSpec, dir: string, options: EvaluateOptions): Promise<EvalOutcome> {
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

  private async runOnce(spec: EvalSpec, dir: string, options: EvaluateOptions, logFile: string, repeat: number): Promise<EvalOutcome> {
    const grant = this.gateway?.grant({ label: options.label, eval: spec.name, repeat });
    let meter: EvalMeter | undefined;
    const result = await this.executor
      .run({ spec, checkout: dir, label: options.label, repeat, logFile, signal: options.signal, ...(grant ? { gateway: grant } : {}) })
      // The stand-in key dies with the eval run, whatever ended it.
      .finally(() => (meter = grant?.end()));
    const base = {
      name: spec.name,
      holdout: spec.holdout,
      gate: spec.gate !== undefined,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      logFile,
      logTail: result.logTail,
      // What a failed eval spent is measured all the same: the money is gone.
      metrics: meter?.metrics() ?? {},
      cases: [],
    };
    if (result.aborted) return { ...base, status: 'interrupted' };
    if (meter && meter.refusedForBudget > 0) {
      return { ...base, status: 'failed', reason: `the model gateway refused ${meter.refusedForBudget} call(s) of this eval: ${this.gateway?.budgetProblem() ?? 'the evaluation budget is spent'}` };
    }
    if (result.tooManyProcesses) {
      return { ...base, status: 'failed', reason: `killed for running more than ${this.config.sandbox.maxProcesses} processes at once (sandbox.maxProcesses)` };
    }
    if (result.timedOut) {
      return { ...base, status: 'timeout', reason: `timeout: ${result.killedBy ?? `killed after ${spec.timeoutSec}s with every process it started`}` };
    }
    if (result.killedBy) return { ...base, status: 'failed', reason: result.killedBy };
    if (result.exitCode !== 0) {
      const how = result.exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with code ${result.exitCode}`;
      return { ...base, status: 'failed', reason: `the command ${how}` };
    }
    const parsed = parseMetrics(result.metricsText, result.stdoutTail, [this.config.objective.metric, ...(spec.gate ? [spec.gate.metric] : [])]);
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
