import { errorMessage } from '../core/common/errors';
import type { CandidateRecord } from '../core/record/records';
import { Store } from '../core/record/store';
import { approvalChain } from '../core/review/chain';
import { caseEvidence } from '../core/review/caseEvidence';
import type { CasePageReply, PageQuery } from '../protocol';
import type { ApprovalChain } from '../shared/review';
import type { WorkspaceSession } from './workspaceSession';

/**
 * A page of the cases behind a candidate's score, as the review panel's list asks for
 * it: only the candidate's record and the one it is counted against are read. A
 * failure is the answer's, so the list says why instead of waiting.
 */
export function casePage(session: WorkspaceSession, id: string, query: PageQuery): CasePageReply {
  try {
    const store = new Store(session.requireFolder());
    const page = caseEvidence(store, store.candidate(id), { text: query.text, offset: query.offset, limit: query.limit });
    return { type: 'casePage', id, query, page };
  } catch (error) {
    return { type: 'casePage', id, query, error: errorMessage(error) };
  }
}

/**
 * What approving a pending candidate applies when it grew from candidates not on the
 * branch; undefined when it is its own change, or is not pending. When the chain
 * cannot be read the review shows without it: approving then says what is wrong.
 */
export async function chainOf(session: WorkspaceSession, candidate: CandidateRecord): Promise<ApprovalChain | undefined> {
  if (candidate.status !== 'pending' || candidate.parent.id === null) return undefined;
  try {
    const git = await session.git();
    const chain = await approvalChain(git, new Store(session.requireFolder()), session.config(), candidate);
    return chain.steps.length > 1 ? chain : undefined;
  } catch {
    return undefined;
  }
}
