import type * as vscode from 'vscode';
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
 * failure is the answer's, so the list says why instead of waiting, and is logged.
 */
export function casePage(session: WorkspaceSession, log: vscode.LogOutputChannel, id: string, query: PageQuery): CasePageReply {
  try {
    const store = new Store(session.requireFolder());
    const page = caseEvidence(store, store.candidate(id), { text: query.text, offset: query.offset, limit: query.limit });
    return { type: 'casePage', id, query, page };
  } catch (error) {
    log.error(`read the cases of ${id}: ${errorMessage(error)}`);
    return { type: 'casePage', id, query, error: errorMessage(error) };
  }
}

/**
 * What approving a pending candidate applies when it grew from candidates not on the
 * branch; undefined when it is its own change, or is not pending. It throws when the
 * chain cannot be read, for the panel to say so and show the review without it.
 */
export async function chainOf(session: WorkspaceSession, candidate: CandidateRecord): Promise<ApprovalChain | undefined> {
  if (candidate.status !== 'pending' || candidate.parent.id === null) return undefined;
  const git = await session.git();
  const chain = await approvalChain(git, new Store(session.requireFolder()), session.config(), candidate);
  return chain.steps.length > 1 ? chain : undefined;
}
