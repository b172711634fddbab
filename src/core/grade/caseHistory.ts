/*
 * How each case of each eval fared in the gradings a run holds: the baseline's, and
 * every candidate's (a raced one's too, on the cases it ran). A case that passed for
 * some versions and failed for others is where versions differ, so where a
 * candidate is likeliest to differ from its parent; a race runs those first.
 */
/** What a history reads of a grading: each eval's cases, passed or not. */
export interface GradedCases {
  readonly evals: readonly { readonly name: string; readonly cases: readonly { readonly id: string; readonly passed: boolean }[] }[];
}

export class CaseHistory {
  /** Per eval, per case id: passes and fails. */
  private readonly counts = new Map<string, Map<string, { passed: number; failed: number }>>();

  add(evaluation: GradedCases | undefined): void {
    for (const outcome of evaluation?.evals ?? []) {
      const cases = this.counts.get(outcome.name) ?? new Map<string, { passed: number; failed: number }>();
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
   */
  disagreement(evalName: string): (caseId: string) => number {
    const cases = this.counts.get(evalName);
    return (id) => {
      const seen = cases?.get(id);
      return seen ? Math.min(seen.passed, seen.failed) / (seen.passed + seen.failed) : 0;
    };
  }
}
