import type { Evaluator } from '../grade/evaluator';
import { evalCaseChanges, evalDeltas, proposerReadsLog, trainFailures, trainMetrics } from '../grade/grading';
import type { Git } from '../git/git';
import { applyEdits, type Edit } from '../propose/edits';
import type { DraftResult } from '../propose/proposer';
import type { Store } from '../record/store';
import { lastLines } from '../../shared/format';
import type { Parent } from './context';
import type { RunState } from './runState';

/** Lines of a failed eval's log a proposer is shown. */
const LOG_LINES = 20;

/**
 * The loop's hand to a proposer that wants to try its draft: the draft is built as
 * a commit nobody can deploy (no ref points at it) and graded on the train-side
 * evals only, in the sandbox, like a candidate. Each run counts in the run's totals.
 */
export class Drafts {
  private made = 0;

  constructor(
    private readonly git: Git,
    private readonly evaluator: Evaluator,
    private readonly store: Store,
    private readonly run: RunState,
  ) {}

  async evaluate(parent: Parent, candidateId: string, edits: Edit[], signal: AbortSignal): Promise<DraftResult> {
    const nothing = { metrics: {}, deltas: {}, cases: {}, failures: [] };
    const applied = await applyEdits(edits, (file) => this.git.readFile(parent.commit, file));
    if (!applied.ok) return { ok: false, reason: applied.reason, ...nothing };
    const tree = await this.git.buildTree(parent.commit, applied.changes);
    const commit = await this.git.commitTree(tree, [parent.commit], `aiai draft of candidate ${candidateId}`);
    const evaluation = await this.evaluator.evaluate({
      commit,
      label: `${candidateId}-draft-${++this.made}`,
      base: this.run.record.base,
      logDir: this.store.logDir(this.run.record.id),
      signal,
      runHoldout: () => false,
    });
    const drafts = this.run.record.drafts ?? { evaluations: 0, durationMs: 0 };
    this.run.update({ drafts: { evaluations: drafts.evaluations + 1, durationMs: drafts.durationMs + evaluation.durationMs } });
    // What a leaking eval printed or named is the candidate's, and may hold what a proposer must not see.
    const failed = evaluation.evals.find((e) => e.status !== 'passed' && proposerReadsLog(e));
    return {
      ok: evaluation.ok,
      ...(evaluation.reason ? { reason: evaluation.reason } : {}),
      metrics: trainMetrics(evaluation),
      deltas: evalDeltas(evaluation, parent.evaluation),
      cases: evalCaseChanges({ ...evaluation, evals: evaluation.evals.filter((e) => !e.leaked) }, parent.evaluation),
      failures: trainFailures(evaluation),
      ...(failed ? { logTail: lastLines(failed.logTail, LOG_LINES) } : {}),
    };
  }
}
