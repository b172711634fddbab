import { createHash } from 'node:crypto';
import type { Config } from '../config/config';
import type { EvalOutcome, Evaluation } from '../grade/evaluation';
import type { Git } from '../git/git';
import type { Store } from '../record/store';
import type { RunState } from './runState';

/**
 * Work a run does not do twice: a change already tried on this base is refused
 * before it is evaluated, and content already evaluated by this run is not
 * evaluated again. It also counts what the cascade spared.
 */
export class Reuse {
  /** Change keys of the candidates tried on this run's base, with the candidate that tried each. */
  private readonly changes = new Map<string, string>();
  /** Evaluations of this run by tree. */
  private readonly evaluations = new Map<string, { id: string; evaluation: Evaluation }>();

  constructor(
    private readonly git: Git,
    private readonly config: Config,
    private readonly run: RunState,
    store: Store,
  ) {
    for (const c of store.summaries().summaries) if (c.changeKey) this.changes.set(c.changeKey, c.id);
  }

  /**
   * The parent-to-candidate change with whitespace and positions left out, on this
   * run's base version: equal for the same change to the same version (on another
   * version, with other evals, the same change may fare differently).
   */
  async changeKeyOf(parent: string, commit: string): Promise<string> {
    const diff = await this.git.raw(['diff', '-U0', '-w', '--no-color', '--no-ext-diff', '--no-renames', parent, commit]);
    const meaningful = diff
      .split('\n')
      .filter((l) => !l.startsWith('index ') && !l.startsWith('@@') && !l.startsWith('diff --git'))
      .map((l) => l.replace(/\s+/g, ' ').trim());
    return createHash('sha256').update(`${this.run.record.base}\n${meaningful.join('\n')}`).digest('hex');
  }

  /** The candidate that already tried this change, if one did; else claims it for `id`. */
  claim(changeKey: string, id: string): string | undefined {
    const earlier = this.changes.get(changeKey);
    if (earlier) {
      this.run.saved('duplicates');
      return earlier;
    }
    this.changes.set(changeKey, id);
    return undefined;
  }

  /**
   * An evaluation of the same tree made earlier in this run, unless this candidate
   * would need the holdout evals that one did not run.
   */
  cached(tree: string, runHoldout: (trainSide: EvalOutcome[]) => boolean): { id: string; evaluation: Evaluation } | undefined {
    const hit = this.evaluations.get(tree);
    if (!hit) return undefined;
    const hasHoldout = hit.evaluation.evals.some((e) => e.holdout);
    const wantsHoldout = this.config.evals.some((e) => e.holdout) && hit.evaluation.ok && runHoldout(hit.evaluation.evals.filter((e) => !e.holdout));
    if (wantsHoldout && !hasHoldout) return undefined;
    this.run.saved('reusedEvaluations');
    return hit;
  }

  remember(tree: string, id: string, evaluation: Evaluation): void {
    this.evaluations.set(tree, { id, evaluation });
  }

  /** What the cascade spared: the evals a candidate did not need, at the baseline's durations. */
  countSkipped(evaluation: Evaluation, baseline: Evaluation): void {
    for (const spec of this.config.evals) {
      if (evaluation.evals.some((e) => e.name === spec.name)) continue;
      this.run.saved('skippedEvals');
      this.run.saved('skippedEvalMs', baseline.evals.find((e) => e.name === spec.name)?.durationMs ?? 0);
    }
  }
}
