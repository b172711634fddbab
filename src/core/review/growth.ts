import type { Git } from '../git/git';
import type { CandidateRecord } from '../record/records';

/** A candidate record by id: the store's, or a map of records already read. */
export type Lookup = (id: string) => CandidateRecord;

/** Where a candidate grew from on a branch, and the steps from there to it: what approving it applies. */
export interface Growth {
  /** The version it replaces: its nearest ancestor approved onto the branch, else the run's base. */
  from: string;
  /** The approved ancestor it replaces; undefined when it replaces the run's base. */
  fromCandidate?: CandidateRecord;
  /** That version's objective value, when it was measured. */
  fromValue: number | undefined;
  /** The candidates from there to this one, oldest first, this one last. */
  steps: CandidateRecord[];
}

/** How `candidate` grew from the branch whose tip is `head`. */
export async function growth(git: Git, lookup: Lookup, candidate: CandidateRecord, head: string): Promise<Growth> {
  const steps = [candidate];
  for (let id = candidate.parent.id; id !== null; ) {
    const ancestor = lookup(id);
    if (ancestor.status === 'approved' && ancestor.commit && ancestor.decision?.commit && (await git.isAncestor(ancestor.decision.commit, head))) {
      return { from: ancestor.commit, fromCandidate: ancestor, fromValue: ancestor.objective?.value, steps };
    }
    steps.unshift(ancestor);
    id = ancestor.parent.id;
  }
  return { from: candidate.base, fromValue: candidate.objective?.current, steps };
}
