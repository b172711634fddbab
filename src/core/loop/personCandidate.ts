import type { Config } from '../config/config';
import { usageError } from '../common/errors';
import { shortSha, type Git } from '../git/git';
import { PersonProposer } from '../propose/personChange';
import type { LeftOut, Proposal } from '../propose/proposer';
import type { CandidateRecord, RunRecord } from '../record/records';
import type { Store } from '../record/store';
import { evalsKey } from './baseline';
import type { LoopEvent, Parent } from './context';
import { runLoop } from './loop';

/* A candidate a person made, graded as any candidate is, in a run of its own. */

/** What `aiai try` and `aiai derive` share; each front end passes its own. */
export interface PersonOptions {
  /** Who makes the candidate, for the audit log, e.g. "person via cli". */
  by: string;
  /** The candidate's title; each action has a default that says what it holds. */
  title?: string;
  /** Stops the run: the candidate in flight is discarded and nothing is recorded of it. */
  signal: AbortSignal;
  /** The run's events as `aiai run` has them: notices, the baseline, the candidate. */
  onEvent?(event: LoopEvent): void;
  env?: NodeJS.ProcessEnv;
}

/** What grading a person's candidate came to. */
export interface PersonResult {
  run: RunRecord;
  /**
   * The candidate: `pending` whatever its delta once built and evaluated cleanly,
   * else `failed` or `refused` with the reason. Absent when a stop came first.
   */
  candidate?: CandidateRecord;
  /** Changed files the candidate does not carry, and why. */
  leftOut: LeftOut[];
}

/**
 * Runs the loop on one proposal a person made, built on `parent` (the current
 * version when absent): the baseline, the sandbox, the cascade, the records, the run
 * lock and the clean-up are the loop's own.
 */
export async function gradePersonCandidate(workspace: string, proposal: Proposal, made: { parent?: Parent; derivedFrom?: string; leftOut: LeftOut[] }, options: PersonOptions): Promise<PersonResult> {
  const summary = await runLoop(workspace, {
    proposer: new PersonProposer(proposal),
    person: { by: options.by, ...(made.parent ? { parent: made.parent } : {}), ...(made.derivedFrom ? { derivedFrom: made.derivedFrom } : {}) },
    signal: options.signal,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const [candidate] = summary.candidates;
  return { run: summary.run, ...(candidate ? { candidate } : {}), leftOut: made.leftOut };
}

/**
 * A candidate as the parent of a person's next one: it must have been made on the
 * current version and evaluated cleanly under the evals the config has now, so that
 * the new candidate's deltas against it mean something.
 */
export async function candidateAsParent(git: Git, store: Store, config: Config, idOrPrefix: string, head: string): Promise<{ record: CandidateRecord; parent: Parent }> {
  const record = store.candidate(idOrPrefix);
  const id = record.id;
  if (!record.commit || !record.evaluation?.ok || !record.objective) {
    throw usageError(`candidate ${id} was not evaluated cleanly (${record.status}${record.reason ? `: ${record.reason}` : ''}), so there is nothing to compare a change on it with; try without --parent`);
  }
  if (record.base !== head) {
    throw usageError(`candidate ${id} was made on ${shortSha(record.base)}, and the branch is at ${shortSha(head)} now; try without --parent to grade the working tree against the current version`);
  }
  const run = store.run(record.runId);
  if (run?.evalsKey !== evalsKey(config)) {
    throw usageError(`candidate ${id} was graded with other evals or sandbox settings than the config has now; try without --parent`);
  }
  if (!(await git.tryRevParse(record.commit))) throw usageError(`candidate ${id}'s commit ${shortSha(record.commit)} is gone from the repository`);
  return { record, parent: { id, commit: record.commit, evaluation: record.evaluation, objectiveValue: record.objective.value } };
}

/** "a.txt, b.txt and 3 more": paths in a title. */
export function pathsInTitle(paths: string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}
