import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EvalSpec } from '../config/config';
import type { Grant } from '../gateway/gateway';
import { resultVariables, type Written } from './reportFile';

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
  /** A new empty folder that this executor's evals can reach (a two-phase eval's outputs); its caller removes it. */
  folder(name: string): string;
}

/**
 * A phase of a two-phase eval: `run` runs the eval's command (the candidate's agent),
 * writing into `outputs`; `grade` runs its grade command, reading them.
 */
export interface Phase {
  kind: 'run' | 'grade';
  outputs: string;
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
  /** Which phase of a two-phase eval; none for a one-phase eval. */
  phase?: Phase;
  /** How long it may run, when less than the eval's timeout: what the run phase left the grade phase. */
  timeoutMs?: number;
  /** The only cases to run, for a racing eval's batch: listed in $AIAI_CASES_FILE. */
  cases?: readonly string[];
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
  /** What the eval wrote to its metrics file or report (none in a run phase). */
  written: Written;
}

/**
 * What an eval finds in its environment, wherever it runs: its metrics file or report
 * file (never in a run phase, whose grade is not its own to write), its outputs
 * folder, the cases it must run when it races, its name, its candidate, its repeat,
 * its temp folder. The cases file is written into the temp folder here.
 */
export function evalEnv(request: Pick<EvalRequest, 'spec' | 'label' | 'repeat' | 'phase' | 'checkout' | 'cases'>, scratch: string): Record<string, string> {
  const { spec, label, repeat, phase, cases } = request;
  const casesFile = path.join(scratch, 'aiai-cases.txt');
  if (cases) writeFileSync(casesFile, cases.map((id) => `${id}\n`).join(''));
  return {
    ...resultVariables(request, scratch),
    ...(cases ? { AIAI_CASES_FILE: casesFile } : {}),
    ...(phase ? { AIAI_PHASE: phase.kind, AIAI_OUTPUTS_DIR: phase.outputs } : {}),
    AIAI_EVAL: spec.name,
    AIAI_CANDIDATE: label,
    AIAI_REPEAT: String(repeat),
    TMPDIR: scratch,
  };
}

/** The command a request runs: the eval's, or in the grade phase its grader. */
export function phaseCommand({ spec, phase }: Pick<EvalRequest, 'spec' | 'phase'>): string {
  return phase?.kind === 'grade' && spec.grade !== undefined ? spec.grade : spec.command;
}

/** How long a request may run. */
export function timeLimitMs({ spec, timeoutMs }: Pick<EvalRequest, 'spec' | 'timeoutMs'>): number {
  return timeoutMs ?? spec.timeoutSec * 1000;
}

/** The outputs folder as the sandbox shows it: writable to the run phase, read-only to the grader. */
export function outputsMounts(phase: Phase | undefined): { binds: Array<{ from: string; to: string }>; readOnly: string[] } {
  if (!phase) return { binds: [], readOnly: [] };
  return phase.kind === 'run' ? { binds: [{ from: phase.outputs, to: phase.outputs }], readOnly: [] } : { binds: [], readOnly: [phase.outputs] };
}
