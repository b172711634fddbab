import type { EvalStatus } from './evaluation';

/*
 * How each case of each eval fared in the gradings a run holds: the baseline's, and
 * every candidate's (a raced one's too, on the cases it ran). A case that passed for
 * some versions and failed for others is where versions differ, so where a
 * candidate is likeliest to differ from its parent; a race runs those first.
 */

interface GradedCase {
  readonly id: string;
  readonly passed: boolean;
}

/** What a history reads of a grading: each eval's cases, passed or not. */
export interface GradedCases {
  readonly evals: readonly { readonly name: string; readonly status: EvalStatus; readonly cases: readonly GradedCase[] }[];
}

/** The outcomes whose cases are what the version did: not those of an eval that broke, timed out or was stopped. */
const COUNTED: ReadonlySet<EvalStatus> = new Set(['passed', 'gate-failed', 'raced-out']);

type Counts = Map<string, { passed: number; failed: number }>;

export class CaseHistory {
  /** Per eval, per case id: passes and fails. */
  private readonly counts = new Map<string, Counts>();

  add(grading: GradedCases | undefined): void {
    for (const outcome of grading?.evals ?? []) {
      if (!COUNTED.has(outcome.status)) continue;
      const cases: Counts = this.counts.get(outcome.name) ?? new Map();
      this.counts.set(outcome.name, cases);
      for (const c of outcome.cases) {
        const seen = cases.get(c.id) ?? { passed: 0, failed: 0 };
        if (c.passed) seen.passed++;
        else seen.failed++;
        cases.set(c.id, seen);
      }
    }
  }

  /**
   * How much the versions graded so far disagreed on each case of `evalName`: the
   * share of the minority result, 0 for a case every grading passed (or failed), up to ½.
   * `parentCases` (the grading a candidate races against) are left out: counting the
   * parent's own luck would put first the cases it happened to pass, where an equal
   * candidate can only lose, and bias the race against it.
   */
  disagreement(evalName: string, parentCases: readonly GradedCase[] = []): (caseId: string) => number {
    const cases = this.counts.get(evalName);
    const parent = new Map(parentCases.map((c) => [c.id, c.passed]));
    return (id) => {
      const seen = cases?.get(id);
      if (!seen) return 0;
      const passed = Math.max(0, seen.passed - (parent.get(id) === true ? 1 : 0));
      const failed = Math.max(0, seen.failed - (parent.get(id) === false ? 1 : 0));
      return passed + failed === 0 ? 0 : Math.min(passed, failed) / (passed + failed);
    };
  }
}
