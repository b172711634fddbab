import { loadConfig, type Config } from '../core/config/config';
import { runLoop, type LoopEvent } from '../core/loop/loop';
import { summarize } from '../core/record/summary';
import { formatNumber } from '../shared/format';
import { candidateLine, candidateSummary, runSummaryText } from './format';
import { onStdoutClosed, print, printJson, STOPPED, warn, type Stop } from './output';

export interface RunOptions {
  iterations?: number;
  patience?: number;
  parallel?: number;
  resume?: boolean;
  fromArchive?: boolean;
  json?: boolean;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const WHY: Record<Stop, string> = {
  SIGINT: 'stopping',
  SIGTERM: 'stopping on SIGTERM',
  SIGHUP: 'stopping on SIGHUP (the terminal closed)',
  SIGPIPE: 'stopping: the output was closed',
};

/**
 * Runs `body` with a signal that Ctrl-C, SIGTERM, SIGHUP and a closed stdout
 * (`aiai run | head -1`) all abort the same way: the candidate in flight is
 * discarded, its evaluation killed, and the loop cleans up before the process ends.
 * A second signal quits at once; the evaluations die with the process
 * (grade/command.ts) and the next run clears the rest. Says what stopped it, if
 * anything did.
 */
export async function untilStopped<T>(body: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; stoppedBy: Stop | undefined }> {
  const controller = new AbortController();
  let stoppedBy: Stop | undefined;
  const stop = (cause: Stop): void => {
    if (stoppedBy) {
      if (cause !== 'SIGPIPE') process.exit(STOPPED[cause]);
      return;
    }
    stoppedBy = cause;
    process.stderr.write(`\n${WHY[cause]}: discarding the candidate in flight (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  const handlers = SIGNALS.map((signal) => [signal, () => stop(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const unwatch = onStdoutClosed(() => stop('SIGPIPE'));
  try {
    const value = await body(controller.signal);
    return { value, stoppedBy };
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    unwatch();
  }
}

/** A run's progress as it goes: notices on stderr, the baseline and each candidate on stdout; nothing with --json. */
export function progress(config: Config, json: boolean | undefined): (event: LoopEvent) => void {
  return (event) => {
    if (json) return;
    if (event.type === 'notice') warn(event.message);
    if (event.type === 'baseline') print(`baseline ${event.evaluation.commit.slice(0, 8)}: ${config.objective.metric} ${formatNumber(event.objectiveValue)}`);
    if (event.type === 'candidate') print(`[${String(event.index).padStart(String(event.total).length)}/${event.total}] ${candidateLine(event.candidate)}`);
  };
}

/** `aiai run`, stopped as `untilStopped` says. */
export async function run(workspace: string, opts: RunOptions): Promise<void> {
  const config = loadConfig(workspace);
  const onEvent = progress(config, opts.json);
  const { value: summary, stoppedBy } = await untilStopped((signal) =>
    runLoop(workspace, {
      ...(opts.iterations ? { iterations: opts.iterations } : {}),
      ...(opts.patience ? { patience: opts.patience } : {}),
      ...(opts.parallel ? { parallel: opts.parallel } : {}),
      ...(opts.resume ? { resume: true } : {}),
      ...(opts.fromArchive ? { fromArchive: true } : {}),
      signal,
      onEvent,
    }),
  );
  if (opts.json) {
    printJson({ run: summary.run, best: summary.best?.id ?? null, candidates: summary.candidates.map((c) => candidateSummary(summarize(c), config.objective.eval)) });
  } else {
    print(runSummaryText(summary, config.objective.metric));
  }
  if (summary.run.state === 'interrupted') process.exitCode = STOPPED[stoppedBy ?? 'SIGINT'];
}
