import { loadConfig } from '../config/config';
import { pathPolicy } from '../config/pathPolicy';
import { runtimeError, usageError } from '../common/errors';
import { changeOnto } from '../git/changeOnto';
import { Git, type FileChange } from '../git/git';
import { applyHunks, hunksOf, type Hunk } from '../propose/hunks';
import { editsTo } from '../propose/personChange';
import { Store } from '../record/store';
import { built, type CandidateRecord } from '../record/records';
import { gradePersonCandidate, pathsInTitle, type PersonOptions, type PersonResult } from './personCandidate';

/** Part of a candidate's change: one of its files, whole or by hunk. */
export interface FileSelection {
  path: string;
  /**
   * Hunks of the file's diff base..commit, numbered from 1 as they appear there
   * (`candidateHunks` lists them); the whole file's change when absent.
   */
  hunks?: number[];
}

/** A file a candidate changes and the hunks of its diff, numbered as a selection names them. */
export interface FileHunks {
  path: string;
  hunks: Hunk[];
}

/** The hunks of each file a candidate changes (its diff base..commit), for choosing some. */
export async function candidateHunks(workspace: string, idOrPrefix: string): Promise<FileHunks[]> {
  const git = await Git.open(workspace);
  const candidate = built(new Store(git.root).candidate(idOrPrefix), 'take part of');
  const paths = await git.changedPaths(candidate.base, candidate.commit);
  return Promise.all(paths.map(async (path) => ({ path, hunks: hunksOf(await git.diff(candidate.base, candidate.commit, [path])) })));
}

/**
 * `aiai derive`: a new candidate made of part of another's change (whole files, or
 * hunks of them) on the current version, graded as any candidate before it can be
 * approved, `pending` whatever its delta, its record naming the candidate it came
 * from (`derivedFrom`). Refuses a path the candidate does not change or that is not
 * editable, a hunk it does not have, and a part that no longer applies to the
 * current version.
 */
export async function deriveCandidate(workspace: string, idOrPrefix: string, chosen: FileSelection[] | 'all', options: PersonOptions & DeriveOptions): Promise<PersonResult> {
  const config = loadConfig(workspace);
  const git = await Git.open(workspace);
  const store = new Store(git.root);
  const whole = built(store.candidate(idOrPrefix), 'take part of');
  const parent = options.ownStep && whole.parent.id !== null ? built(store.candidate(whole.parent.id), 'take the step of') : undefined;
  // Its own step starts where its parent ended; its whole change, where its run began.
  const source = parent ? { ...whole, base: parent.commit } : whole;
  const { id, base, commit } = source;
  const changed = await git.changedPaths(base, commit);
  const policy = pathPolicy(config);
  const selection: FileSelection[] = chosen === 'all' ? changed.filter((p) => !policy.whyNotChangeable(p)).map((p) => ({ path: p })) : chosen;
  if (selection.length === 0) throw usageError(chosen === 'all' ? `candidate ${id} changes no file that is editable under the config now` : `name at least one file of candidate ${id} to keep`);
  const changes: FileChange[] = [];
  for (const { path, hunks } of selection) {
    if (changes.some((c) => c.path === path)) throw usageError(`"${path}" is named twice; name each file once, with all the hunks to keep`);
    if (!changed.includes(path)) throw usageError(`candidate ${id} does not change "${path}"; it changes ${changed.join(', ')}`);
    const why = policy.whyNotChangeable(path);
    if (why) throw usageError(`"${path}" is ${why} under the config now, so no candidate may change it`);
    const after = await git.readFile(commit, path);
    if (after === undefined) throw usageError(`candidate ${id} deletes "${path}", and a candidate can edit files but not delete them`);
    changes.push({ path, content: hunks ? await someHunks(git, source, path, hunks) : after });
  }
  const head = await git.head();
  const carried = await changeOnto(git, base, head, changes, { offBranch: parent !== undefined });
  if (!carried.ok) throw runtimeError(`that part of candidate ${id} does not apply to the current version: ${carried.reason}`);
  const files = new Map<string, string>();
  for (const { path } of changes) files.set(path, (await git.readFile(carried.tree, path)) ?? '');
  const { edits, leftOut } = await editsTo(files, (file) => git.readFile(head, file));
  if (leftOut.length > 0) throw usageError(`that part of candidate ${id} cannot be a candidate: ${leftOut.map((l) => `${l.path} ${l.reason}`).join('; ')}`);
  if (edits.length === 0) throw usageError(`the current version already holds that part of candidate ${id}`);
  const paths = selection.map((s) => (s.hunks ? `${s.path} (hunk${s.hunks.length > 1 ? 's' : ''} ${s.hunks.join(', ')})` : s.path));
  const part = parent ? `its own step (after ${parent.id})` : chosen === 'all' ? 'all of it' : `only ${pathsInTitle(paths)}`;
  return gradePersonCandidate(
    workspace,
    {
      title: options.title ?? `${source.title} (${part})`,
      rationale: `${chosen === 'all' ? `The change of candidate ${id}` : `Part of candidate ${id}`}${parent ? `, its own step after ${parent.id}` : ''}, on the current version: ${paths.join(', ')}.${source.rationale ? `\n\n${source.rationale}` : ''}`,
      edits,
    },
    { derivedFrom: id, leftOut: [] },
    options,
  );
}

export interface DeriveOptions {
  /** Only the candidate's own step, from its parent's commit, rather than its whole change since its run's version. */
  ownStep?: boolean;
}

/** The file at the candidate's base with only the chosen hunks of its diff applied. */
async function someHunks(git: Git, candidate: CandidateRecord & { commit: string }, path: string, numbers: number[]): Promise<string> {
  const hunks = hunksOf(await git.diff(candidate.base, candidate.commit, [path]));
  const missing = numbers.filter((n) => !hunks.some((h) => h.number === n));
  if (missing.length > 0 || numbers.length === 0) {
    const has = hunks.length === 0 ? 'no hunks to choose from (take it whole)' : hunks.length === 1 ? 'one hunk, 1' : `hunks 1 to ${hunks.length}`;
    throw usageError(`"${path}" of candidate ${candidate.id} has ${has}; ${numbers.length === 0 ? 'no hunk was named' : `there is no hunk ${missing.join(', ')}`}`);
  }
  const text = applyHunks((await git.readFile(candidate.base, path)) ?? '', hunks, new Set(numbers));
  if (text === undefined) throw runtimeError(`the diff of "${path}" does not fit candidate ${candidate.id}'s base; its record may be damaged`);
  return text;
}
