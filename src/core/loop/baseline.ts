import { createHash } from 'node:crypto';
import type { Config } from '../config/config';
import { runtimeError } from '../common/errors';
import type { Evaluator } from '../grade/evaluator';
import { objectiveValue } from '../grade/grading';
import type { Store } from '../record/store';
import { lastLines } from '../../shared/format';
import type { Emit, Parent } from './context';
import type { RunState } from './runState';

/** What decides an evaluation's results besides the tree: the eval commands and the sandbox. */
export function evalsKey(config: Config): string {
  return createHash('sha256').update(JSON.stringify({ evals: config.evals, sandbox: config.sandbox, shared: config.shared })).digest('hex');
}

/**
 * Grades the version the run starts from, or reuses the grades of an earlier run on
 * the same version under the same evals. Throws, with the failing eval's log, when
 * there is nothing to improve on.
 */
export async function evaluateBaseline(config: Config, store: Store, evaluator: Evaluator, run: RunState, signal: AbortSignal, emit: Emit): Promise<Parent> {
  const { id, base } = run.record;
  const earlier = store
    .runs()
    .reverse()
    .find((r) => r.id !== id && r.base === base && r.evalsKey === run.record.evalsKey && r.baseline?.ok);
  if (earlier) {
    run.saved('reusedEvaluations');
    emit({ type: 'notice', message: `the current version was evaluated by run ${earlier.id} under the same evals; its results are reused` });
  }
  const evaluation =
    earlier?.baseline ?? (await evaluator.evaluate({ commit: base, label: 'baseline', base, logDir: store.logDir(id), signal, runHoldout: () => true }));
  run.update({ baseline: evaluation });
  if (!evaluation.ok) {
    const failed = evaluation.evals.find((e) => e.status !== 'passed');
    throw runtimeError(
      `the baseline evaluation failed, so there is nothing to improve on: ${evaluation.reason}` +
        (failed ? `\nlog ${failed.logFile}, last lines:\n${lastLines(failed.logTail, 15)}` : ''),
    );
  }
  const value = objectiveValue(config.objective, evaluation);
  if (value === undefined) {
    const reported = Object.keys(evaluation.evals.find((e) => e.name === config.objective.eval)?.metrics ?? {});
    throw runtimeError(
      `eval "${config.objective.eval}" reported no "${config.objective.metric}" metric ` +
        `(it reported: ${reported.join(', ') || 'nothing'}); fix "objective.metric" in .aiai/config.json or the eval`,
    );
  }
  emit({ type: 'baseline', evaluation, objectiveValue: value });
  return { id: null, commit: base, evaluation, objectiveValue: value };
}
