import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../config/config';
import { runtimeError } from '../common/errors';
import type { Evaluator } from '../grade/evaluator';
import { objectiveValue } from '../grade/grading';
import { failureLog } from '../grade/evaluation';
import type { RunRecord } from '../record/records';
import type { Store } from '../record/store';
import { lastLines } from '../../shared/format';
import type { Emit, Parent } from './context';
import type { RunState } from './runState';

/**
 * What decides an evaluation's results besides the tree: the eval commands, the
 * sandbox, and, for deterministic evals (the only ones whose results are reused
 * across runs), the shared folders' files: paths, sizes and modification times.
 */
export function evalsKey(config: Config): string {
  const shared = config.deterministic ? config.shared.map((dir) => [dir, fingerprint(path.join(config.workspace, dir))]) : config.shared;
  // Settings added later key as they did before they existed while they hold their defaults: earlier runs still match.
  const evals = config.evals.map(({ format, race, ...spec }) => ({ ...spec, ...(format === 'aiai' ? {} : { format }), ...(race ? { race } : {}) }));
  return createHash('sha256').update(JSON.stringify({ evals, sandbox: config.sandbox, shared, deterministic: config.deterministic })).digest('hex');
}

/** A folder's files as git's index would see them change: path, size and modification time. */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }).sort((a, b) => `${a.parentPath}/${a.name}`.localeCompare(`${b.parentPath}/${b.name}`))) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const stat = statSync(file);
      hash.update(`${path.relative(dir, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  } catch {
    hash.update('missing');
  }
  return hash.digest('hex');
}

/**
 * Grades the version the run starts from. An earlier run's grades of the same
 * version under the same evals and shared folders are reused only when the config
 * says the evals are deterministic: a score may depend on something outside git (a
 * model, an API, the clock). Says which of the two happened. Throws, with the
 * failing eval's log, when there is nothing to improve on.
 */
export async function evaluateBaseline(config: Config, store: Store, evaluator: Evaluator, run: RunState, signal: AbortSignal, emit: Emit): Promise<Parent> {
  const { id, base } = run.record;
  let earlier: RunRecord | undefined;
  for (const r of store.runsNewestFirst()) {
    if (r.id !== id && r.base === base && r.evalsKey === run.record.evalsKey && r.baseline?.ok) {
      earlier = r;
      break;
    }
  }
  const reused = config.deterministic ? earlier?.baseline : undefined;
  if (earlier && reused) {
    run.saved('reusedEvaluations');
    emit({ type: 'notice', message: `the current version was evaluated by run ${earlier.id} under the same evals and shared folders, which the config says are deterministic; its results are reused` });
  } else if (earlier) {
    emit({ type: 'notice', message: `evaluating the current version again (run ${earlier.id} measured it too): its score may depend on something outside git; set "deterministic": true in .aiai/config.json to reuse it` });
  }
  const evaluation = reused ?? (await evaluator.evaluate({ commit: base, label: 'baseline', base, logDir: store.logDir(id), signal, runHoldout: () => true }));
  run.update({ baseline: evaluation });
  if (!evaluation.ok) {
    const failed = evaluation.evals.find((e) => e.status !== 'passed');
    const log = failed && failureLog(failed);
    throw runtimeError(`the baseline evaluation failed, so there is nothing to improve on: ${evaluation.reason}` + (log ? `\nlog ${log.file}, last lines:\n${lastLines(log.tail, 15)}` : ''));
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
