import type { Git } from '../git/git';
import { audit } from '../record/audit';
import type { CandidateRecord } from '../record/records';
import type { Store } from '../record/store';
import { applyOnto } from './applyOnto';
import type { Lookup } from '../review/growth';
import { versionName } from '../review/versions';

/** An approval, as superseding needs it: the candidate, the branch before and after, and who approved. */
export interface Approval {
  candidate: CandidateRecord;
  /** The branch's commit before the approval, and the approval's commit. */
  from: string;
  to: string;
  by: string;
}

/**
 * Marks `superseded` every pending candidate that the approval made no longer worth
 * applying: the candidates it grew from (their change is part of it), and any other
 * whose change applied to the branch before the approval and, by a real three-way
 * merge, no longer does (a conflict), or is already there. Each keeps its ref; the
 * decision says by which approval and why, and the audit log has a line for each.
 * Candidates that grew from the approved one, and any change that still applies,
 * stay pending. Running it again finds nothing more to do.
 */
export async function supersede(git: Git, store: Store, approval: Approval): Promise<CandidateRecord[]> {
  const pending = store.briefs().briefs.filter((c) => c.status === 'pending' && c.id !== approval.candidate.id);
  if (pending.length === 0) return [];
  const records = readWithAncestors(store, [approval.candidate.id, ...pending.map((c) => c.id)]);
  const lookup: Lookup = (id) => records.get(id) ?? store.candidate(id);
  const version = await versionName(git, approval.to);
  const label = `superseded by ${approval.candidate.id} (${version})`;
  const chain = new Set<string>();
  for (let id = approval.candidate.parent.id; id !== null && !chain.has(id); id = records.get(id)?.parent.id ?? null) chain.add(id);
  const trees = new Map<string, string>();
  const treeOf = async (commit: string): Promise<string> => trees.get(commit) ?? trees.set(commit, await git.treeOf(commit)).get(commit)!;
  /** Whether approving `c` onto `head` would change the branch. */
  const applies = async (c: CandidateRecord & { commit: string }, head: string): Promise<'applies' | 'conflicts' | 'contained'> => {
    const { tree } = await applyOnto(git, lookup, c, head);
    return tree === undefined ? 'conflicts' : tree === (await treeOf(head)) ? 'contained' : 'applies';
  };

  const superseded: CandidateRecord[] = [];
  for (const { id } of pending) {
    const c = records.get(id);
    if (!c || c.status !== 'pending' || !c.commit) continue;
    const withCommit = { ...c, commit: c.commit };
    let reason: string | undefined;
    const ancestor = supersededAncestor(c, records);
    if (chain.has(c.id)) reason = `${label}, which applied its change as part of the chain`;
    else if (ancestor) {
      // Approving it would apply the superseded step too: unless that still yields the tree it was graded as, approve refuses it for ever.
      // One whose lineage cannot be read stays pending, as below.
      const { tree } = await applyOnto(git, lookup, withCommit, approval.to).catch(() => ({ tree: c.contentHash }));
      if (tree !== c.contentHash) reason = `${label}: it grew from ${ancestor.id}, which is ${ancestor.reason ?? 'superseded'}`;
    } else {
      // A candidate whose lineage cannot be read stays pending: approving it says why it cannot.
      const now = await applies(withCommit, approval.to).catch(() => 'applies' as const);
      if (now !== 'applies' && (await applies(withCommit, approval.from).catch(() => 'conflicts' as const)) === 'applies') {
        reason = now === 'conflicts' ? `${label}: its change no longer applies to the branch` : `${label}: the branch already contains its change`;
      }
    }
    if (!reason) continue;
    const marked: CandidateRecord = {
      ...c,
      status: 'superseded',
      reason,
      decision: { at: new Date().toISOString(), by: approval.by, reason, supersededBy: approval.candidate.id },
    };
    store.saveCandidate(marked);
    records.set(marked.id, marked); // its descendants, later in creation order, then see it superseded
    audit(store.workspace, { event: 'supersession', by: approval.by, candidate: c.id, ...(c.contentHash ? { contentHash: c.contentHash } : {}), commit: approval.to, detail: reason });
    superseded.push(marked);
  }
  return superseded;
}

/**
 * The nearest candidate `c` grew from that is superseded, up to the version it would
 * replace (an approved ancestor): one built on a superseded step carries that step.
 */
function supersededAncestor(c: CandidateRecord, records: Map<string, CandidateRecord>): CandidateRecord | undefined {
  for (let ancestor = c.parent.id === null ? undefined : records.get(c.parent.id); ancestor && ancestor.status !== 'approved'; ancestor = ancestor.parent.id === null ? undefined : records.get(ancestor.parent.id)) {
    if (ancestor.status === 'superseded') return ancestor;
  }
  return undefined;
}

/** The records of `ids` and of every candidate they grew from, read once each. */
function readWithAncestors(store: Store, ids: string[]): Map<string, CandidateRecord> {
  const records = new Map<string, CandidateRecord>();
  let wanted = new Set(ids);
  while (wanted.size > 0) {
    for (const [id, record] of store.some(wanted)) records.set(id, record);
    const next = new Set<string>();
    for (const id of wanted) {
      const parent = records.get(id)?.parent.id;
      if (parent && !records.has(parent)) next.add(parent);
    }
    wanted = next;
  }
  return records;
}
