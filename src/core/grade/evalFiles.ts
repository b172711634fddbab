import { lstatSync, rmdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { EvalSpec } from '../config/config';
import { matcher } from '../config/twoPhase';
import type { Git } from '../git/git';
import type { Phase } from './executor';

/**
 * Which of a version's files each eval sees. An eval's `answers` are only ever seen
 * by its own grader; its `data`, only while it runs (either phase); every other file,
 * by everyone, but that the grader never sees an editable one.
 */
export class EvalFiles {
  private readonly answers: Array<(file: string) => boolean>;
  private readonly data: Array<(file: string) => boolean>;
  private readonly anyAnswer: (file: string) => boolean;
  private readonly anyData: (file: string) => boolean;
  private readonly editable: (file: string) => boolean;

  constructor(
    private readonly evals: EvalSpec[],
    editable: string[],
  ) {
    this.answers = evals.map((e) => matcher(e.answers));
    this.data = evals.map((e) => matcher(e.data));
    this.anyAnswer = matcher(evals.flatMap((e) => e.answers));
    this.anyData = matcher(evals.flatMap((e) => e.data));
    this.editable = matcher(editable);
  }

  /** Whether some eval keeps files from the others. */
  get restricts(): boolean {
    return this.evals.some((e) => e.answers.length > 0 || e.data.length > 0);
  }

  /** Whether only some evals, or only graders, may see `file`. */
  isRestricted(file: string): boolean {
    return this.anyAnswer(file) || this.anyData(file);
  }

  /** Whether `file` is in the checkout where `spec` runs a phase (a one-phase eval's run is a `run`). */
  shows(file: string, spec: EvalSpec, phase: Phase['kind']): boolean {
    const i = this.evals.indexOf(spec);
    const own = (this.data[i]?.(file) ?? false) || (phase === 'grade' && (this.answers[i]?.(file) ?? false));
    if (phase === 'grade' && this.editable(file) && !own) return false;
    if (this.anyAnswer(file)) return phase === 'grade' && (this.answers[i]?.(file) ?? false);
    return !this.anyData(file) || own;
  }
}

/**
 * A candidate's checkout, whose restricted files come and go as each eval runs:
 * removed where an eval may not see them, written again from git's index where it
 * may. A file that was removed and is there again was put there by the candidate.
 */
export class ArrangedCheckout {
  private readonly absent = new Set<string>();
  private readonly planted = new Set<string>();

  private constructor(
    private readonly git: Git,
    private readonly dir: string,
    private readonly restricted: string[],
  ) {}

  static async of(git: Git, dir: string, files: EvalFiles): Promise<ArrangedCheckout> {
    const tracked = files.restricts ? (await git.raw(['ls-files', '-z'], { cwd: dir })).split('\0').filter(Boolean) : [];
    return new ArrangedCheckout(git, dir, tracked.filter((f) => files.isRestricted(f)));
  }

  /** Makes the checkout hold exactly the restricted files that `shows` allows. */
  async arrange(shows: (file: string) => boolean): Promise<void> {
    const restore: string[] = [];
    for (const file of this.restricted) {
      const there = lstatSync(path.join(this.dir, file), { throwIfNoEntry: false }) !== undefined;
      if (this.absent.has(file) && there) this.planted.add(file);
      if (shows(file)) {
        if (this.absent.has(file)) restore.push(file);
        this.absent.delete(file);
      } else {
        remove(this.dir, file);
        this.absent.add(file);
      }
    }
    if (restore.length > 0) await this.git.raw(['checkout-index', '--force', '--', ...restore], { cwd: this.dir });
  }

  /** Every restricted file back, and those the candidate wrote where they had been removed. */
  async restore(): Promise<string[]> {
    await this.arrange(() => true);
    return [...this.planted];
  }
}

/** Removes from a checkout of the baseline what a grader may not see: every editable file, and the restricted files of other evals. */
export async function graderView(git: Git, dir: string, files: EvalFiles, spec: EvalSpec): Promise<void> {
  const tracked = (await git.raw(['ls-files', '-z'], { cwd: dir })).split('\0').filter(Boolean);
  for (const file of tracked) if (!files.shows(file, spec, 'grade')) remove(dir, file);
}

/** Removes a file of a checkout, and the folders it leaves empty: a folder's name alone can say what was there. */
function remove(dir: string, file: string): void {
  rmSync(path.join(dir, file), { recursive: true, force: true });
  for (let parent = path.dirname(file); parent !== '.'; parent = path.dirname(parent)) {
    try {
      rmdirSync(path.join(dir, parent));
    } catch {
      return;
    }
  }
}
