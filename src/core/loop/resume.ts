import type { Config } from '../config/config';
import { usageError } from '../common/errors';
import { objectiveValue } from '../grade/grading';
import type { CandidateRecord, RunRecord } from '../record/records';
import type { Store } from '../record/store';
import type { Parent } from './context';

/**
 * The run `aiai run --resume` continues: the last run of the loop (a person's run of
 * one candidate does not count) if a stop or a crash ended it, and if it was made on
 * the current version under the same evals (else its candidates would be graded
 * against another baseline). It keeps its id, its archive, its lineage and what is
 * left of its budget.
 */
export function runToResume(store: Store, head: string, evalsKey: string): RunRecord {
  // A person's run grades one candidate they made: there is nothing left of it to run.
  let last: RunRecord | undefined;
  for (const run of store.runsNewestFirst()) {
    if (run.person) continue;
    last = run;
    break;
  }
  if (!last || (last.state !== 'interrupted' && last.state !== 'crashed')) {
    throw usageError(`there is no interrupted or crashed run to resume${last ? ` (the last run, ${last.id}, ${last.state})` : ''}; start a new one with \`aiai run\``);
  }
  if (last.base !== head) throw usageError(`run ${last.id} was made on ${last.base.slice(0, 8)}, and the branch is at ${head.slice(0, 8)} now: start a new run (add --from-archive to build on its candidates)`);
  if (last.evalsKey !== evalsKey) throw usageError(`run ${last.id} was graded with other evals or sandbox settings than the config has now: start a new run`);
  if (!last.baseline?.ok) throw usageError(`run ${last.id} never measured its baseline: start a new run`);
  return last;
}

/** The resumed run's baseline, as it measured it. */
export function baselineOf(run: RunRecord, config: Config): Parent | undefined {
  const value = run.baseline ? objectiveValue(config.objective, run.baseline) : undefined;
  return run.baseline && value !== undefined ? { id: null, commit: run.base, evaluation: run.baseline, objectiveValue: value } : undefined;
}

/**
 * Candidates that runs before this one made on `base` under the same evals (of
 * `runIds` only, when given): the archive a run may build on, as the Darwin Gödel
 * Machine's archive grows across generations.
 */
export function archiveOf(store: Store, base: string, evalsKey: string, runIds?: ReadonlySet<string>): CandidateRecord[] {
  const runs = new Set(store.runs().filter((r) => r.base === base && r.evalsKey === evalsKey && (!runIds || runIds.has(r.id))).map((r) => r.id));
  const ids = new Set(store.briefs().briefs.filter((s) => runs.has(s.runId)).map((s) => s.id));
  return [...store.some(ids).values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
}
