import type { Git } from '../git/git';
import { mergeOnto } from '../git/changeOnto';
import type { CandidateRecord } from '../record/records';
import { growth, type Growth, type Lookup } from '../review/growth';

/** What approving `candidate` onto `head` would do: its growth, and the tree it would commit (undefined on a conflict). */
export async function applyOnto(git: Git, lookup: Lookup, candidate: CandidateRecord & { commit: string }, head: string): Promise<{ grown: Growth; tree: string | undefined }> {
  const grown = await growth(git, lookup, candidate, head);
  return { grown, tree: await mergeOnto(git, grown.from, candidate.commit, head) };
}
