import { loadConfig } from '../core/config/config';
import { runLoop, type LoopEvent } from '../core/loop/loop';
import { summarize } from '../core/record/summary';
import { formatNumber } from '../shared/format';
import { candidateLine, candidateSummary, runSummaryText } from './format';
import { onStdoutClosed, print, printJson, STOPPED, warn, type Stop } from './output';

export interface RunOptions {
  iterations?: number;
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
 * `aiai run`. Ctrl-C, SIGTERM, SIGHUP and a closed stdout (`aiai run | head -1`)
 * all stop the run the same way: the candidate in flight is discarded, its
 * evaluation killed, and the loop cleans up before the process ends. A second
 * signal quits at once; the evaluations die with the process (grade/command.ts) and
 * the next run clears the rest.
 */
export async function run(workspace: string, opts: RunOptions): Promise<void> {
  const config = loadConfig(workspace);
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
  const onEvent = (event: LoopEvent): void => {
    if (opts.json) return;
    if (event.type === 'notice') warn(event.message);
    if (event.type === 'baseline') print(`baseline ${event.evaluation.commit.slice(0, 8)}: ${config.objective.metric} ${formatNumber(event.objectiveValue)}`);
    if (event.type === 'candidate') print(`[${String(event.index).padStart(String(event.total).length)}/${event.total}] ${candidateLine(event.candidate)}`);
  };
  try {
    const summary = await runLoop(workspace, {
      ...(opts.iterations ? { iterations: opts.iterations } : {}),
      ...(opts.parallel ? { parallel: opts.parallel } : {}),
      ...(opts.resume ? { resume: true } : {}),
      ...(opts.fromArchive ? { fromArchive: true } : {}),
      signal: controller.signal,
      onEvent,
    });
    if (opts.json) {
      printJson({ run: summary.run, best: summary.best?.id ?? null, candidates: summary.candidates.map((c) => candidateSummary(summarize(c), config.objective.eval)) });
    } else {
      print(runSummaryText(summary, config.objective.metric));
    }
    if (summary.run.state === 'interrupted') process.exitCode = STOPPED[stoppedBy ?? 'SIGINT'];
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    unwatch();
  }
}
