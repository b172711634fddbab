import type { EvalSpec } from '../config/config';
import type { Grant } from '../gateway/gateway';

/**
 * Where and how an eval command runs: on this machine, or as a job of a cluster.
 * The evaluator talks to one through this and never knows which: it asks for a
 * checkout of a commit, runs evals in it one at a time, gives it back, and at the
 * end of the run has everything removed. A stop is the abort signal of a run.
 */
export interface Executor {
  /**
   * A clean checkout of `commit`, with the shared folders linked, where the evals
   * will see it. Give it back with `release`.
   */
  prepare(commit: string): Promise<string>;
  release(checkout: string): void;
  /**
   * Runs one eval in a checkout with its limits (time, output, sandbox) and collects
   * its outcome. Throws (an AiaiError) only for a problem of the executor itself,
   * which no candidate caused and which must stop the run.
   */
  run(request: EvalRequest): Promise<EvalRun>;
  /** Removes every checkout and file this executor made, after its last eval ended. */
  drain(): Promise<void>;
}

export interface EvalRequest {
  spec: EvalSpec;
  checkout: string;
  /** A candidate id, "baseline", or a draft's label. */
  label: string;
  /** Which run of a repeated eval, from 1. */
  repeat: number;
  /** Where the eval's capped output must end up. */
  logFile: string;
  signal: AbortSignal;
  /** The eval's access to the run's model gateway. */
  gateway?: Grant;
}

/** What one run of an eval came to, before its metrics are read. */
export interface EvalRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Ended by a stop of the run. */
  aborted: boolean;
  /** Killed for running more processes than sandbox.maxProcesses. */
  tooManyProcesses: boolean;
  /** Why the executor's scheduler ended it, when it did (a cluster's time or memory limit). */
  killedBy?: string;
  durationMs: number;
  stdoutTail: string;
  logTail: string;
  /** What the eval wrote to its metrics file, if it wrote one. */
  metricsText: string | undefined;
}

/** What an eval finds in its environment, wherever it runs: its metrics file, its name, its candidate, its repeat, its temp folder. */
export function evalEnv({ spec, label, repeat }: Pick<EvalRequest, 'spec' | 'label' | 'repeat'>, metricsFile: string, scratch: string): Record<string, string> {
  return { AIAI_METRICS_FILE: metricsFile, AIAI_EVAL: spec.name, AIAI_CANDIDATE: label, AIAI_REPEAT: String(repeat), TMPDIR: scratch };
}
