import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evalEnvironment } from './evalEnvironment';
import { formatKnobValue, writeKnobValue } from './knobs';
import type { ProposedKnob } from './constantKnobs';
import { peerAdapterArgs } from './peerAdapter';
import type { PeerLayout } from './peerLayouts';
import { formatNumber } from '../../shared/format';

/** What one run of the evaluator scored, or why it gave no score. */
export type Trial = { ok: true; score: number } | { ok: false; why: string };

/**
 * The argv that runs `command` in the evals' sandbox, with the variables it needs
 * set: grade/sandbox.ts makes it, a room config/ may not import, so init's caller
 * hands it in; none where no sandbox can be made.
 */
export type TrialSandbox = (command: string[], where: { cwd: string; scratch: string }) => { file: string; args: string[]; env: Record<string, string> };

/**
 * Runs the peer's evaluator through the adapter, as the eval will, on the unmodified
 * program or a copy with one knob moved: `aiai init` checks its guesses so, at the
 * cost of a few evaluations, which it counts for its report.
 */
export class PeerTrials {
  runs = 0;
  private readonly started = Date.now();
  private readonly scratch = mkdtempSync(path.join(tmpdir(), 'aiai-init-'));

  constructor(
    private readonly workspace: string,
    private readonly layout: PeerLayout,
    private readonly metric: string,
    private readonly sandbox?: TrialSandbox,
  ) {}

  /** A run on seed `seed`: of the program as it is, or of `programText` in its place (written to a scratch folder, as both peers run candidates). */
  async run(seed: number, options: { stage1?: boolean; programText?: string } = {}): Promise<Trial> {
    this.runs++;
    let program: string | undefined;
    if (options.programText !== undefined) {
      program = path.join(this.scratch, path.basename(this.layout.program));
      writeFileSync(program, options.programText);
    }
    const metricsFile = path.join(this.scratch, 'metrics.json');
    rmSync(metricsFile, { force: true });
    const command = ['python3', ...peerAdapterArgs(this.layout, seed, { ...(options.stage1 ? { stage1: true } : {}), ...(program ? { program } : {}) })];
    const argv = this.sandbox?.(command, { cwd: this.workspace, scratch: this.scratch }) ?? { file: 'python3', args: command.slice(1), env: {} };
    const result = await runToEnd(argv.file, argv.args, {
      cwd: this.workspace,
      // As an eval, the evaluator sees none of the person's keys and tokens: only what a shell needs.
      env: evalEnvironment(process.env, [], { ...argv.env, AIAI_METRICS_FILE: metricsFile, AIAI_REPEAT: '1' }),
      timeoutMs: this.layout.timeoutSec * 1000,
    });
    if (result.error) return { ok: false, why: result.error.message };
    if (result.timedOut) return { ok: false, why: `ran past its ${this.layout.timeoutSec} s` };
    if (result.status !== 0) {
      const last = result.stderr.trim().split('\n').pop()?.replace(/^aiai adapter: /, '');
      return { ok: false, why: last || `exited with ${result.status ?? result.signal}` };
    }
    let score: unknown;
    try {
      score = (JSON.parse(readFileSync(metricsFile, 'utf8')) as { metrics: Record<string, unknown> }).metrics[this.metric];
    } catch {
      return { ok: false, why: 'wrote no metrics' };
    }
    return typeof score === 'number' ? { ok: true, score } : { ok: false, why: `reported no ${this.metric}` };
  }

  /** `N evaluations in T s`. */
  cost(): string {
    return evaluationsCost(this.runs, Date.now() - this.started);
  }

  /** Where the runs ran, for init's notes. */
  where(): string {
    return this.sandbox ? 'in the sandbox' : 'without a sandbox';
  }

  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** `N evaluations in T s`: what one of init's checks cost. */
export function evaluationsCost(runs: number, ms: number): string {
  return `${runs} evaluation${runs === 1 ? '' : 's'} in ${(ms / 1000).toFixed(1)} s`;
}

export interface KnobCheck {
  /** The knob to keep, its range narrowed where a move broke the evaluator; undefined to drop it. */
  kept: ProposedKnob | undefined;
  /** Why it was narrowed or dropped, for init's notes. */
  note?: string;
}

/**
 * Moves `knob` one step each way (within its range) and compares with the unmodified
 * program's `baseline` score on the same seed. A move breaks the evaluator when the
 * run fails, reports no score, or scores 0 where the program scored otherwise (how the
 * peers' evaluators reject a program). Broken both ways, or the same score to the
 * last bit wherever it does not break, the knob is dropped; broken one way, its range
 * stops at its value.
 */
export async function checkKnob(trials: PeerTrials, knob: ProposedKnob, programText: string, baseline: { seed: number; score: number }, metric: string): Promise<KnobCheck> {
  const score = baseline.score;
  const steps = [
    { side: 'down' as const, value: Number(formatKnobValue(knob, knob.value - knob.step)) },
    { side: 'up' as const, value: Number(formatKnobValue(knob, knob.value + knob.step)) },
  ].filter((m) => m.value >= knob.min && m.value <= knob.max);
  // One after the other: the moved program is written to one scratch file.
  const moves: Array<(typeof steps)[number] & { trial: Trial; broke: string | undefined }> = [];
  for (const m of steps) {
    const trial = await trials.run(baseline.seed, { programText: writeKnobValue(knob, programText, m.value) });
    const broke = !trial.ok ? trial.why : trial.score === 0 && score !== 0 ? `scores 0 (the program as it is scores ${formatNumber(score)})` : undefined;
    moves.push({ ...m, trial, broke });
  }
  if (moves.length === 0) return { kept: knob };
  const named = `${knob.name} = ${knob.value} (${knob.file} line ${knob.line})`;
  if (moves.every((m) => m.broke)) {
    return { kept: undefined, note: `${named}: not a knob; the evaluator fails when it moves (${moves.map((m) => `${m.value}: ${m.broke}`).join('; ')})` };
  }
  const broken = moves.filter((m) => m.broke);
  const why = broken.map((m) => `${m.value}: ${m.broke}`).join('; ');
  const working = moves.filter((m) => !m.broke);
  if (working.every((m) => m.trial.ok && m.trial.score === score)) {
    const moved = working.map((m) => `${m.value}`).join(' and ');
    return {
      kept: undefined,
      note: `${named}: not a knob; moving it to ${moved} leaves ${metric} at ${formatNumber(score)}, to the last digit (what the evaluator measures does not depend on it, or the evaluator overrides it)${broken.length > 0 ? `, and ${why}` : ''}`,
    };
  }
  if (broken.length === 0) return { kept: knob };
  const narrowed = { ...knob, ...(broken.some((m) => m.side === 'up') ? { max: knob.value } : { min: knob.value }) };
  return { kept: narrowed, note: `${named}: its range stops at ${knob.value}, where the evaluator breaks one step further (${why})` };
}

/** How a trial's process ended: its exit, the end of what it wrote to stderr, or why it did not run. */
interface Ended {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  error?: Error;
}

/** The most of a trial's stderr kept: its last line says why it failed. */
const STDERR_KEPT = 64 * 1024;

/** Runs a process to its end without blocking the caller (the editor's window, when VS Code runs init), killed past `timeoutMs`. */
function runToEnd(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-STDERR_KEPT)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, signal: null, stderr, timedOut, error });
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr, timedOut });
    });
  });
}
