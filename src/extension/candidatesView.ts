import * as vscode from 'vscode';
import type { CandidateRecord, CandidateStatus } from '../core/record/records';
import { parentName } from '../shared/format';
import { candidateDelta } from './format';
import { SessionTreeView } from './sessionTreeView';

/** The groups, in the order shown: one for every status, so each candidate has its group and icon. */
const GROUPS: Record<CandidateStatus, { label: string; icon: string }> = {
  pending: { label: 'Awaiting review', icon: 'bell-dot' },
  approved: { label: 'Approved', icon: 'pass' },
  rejected: { label: 'Rejected', icon: 'circle-slash' },
  failed: { label: 'Failed', icon: 'error' },
  refused: { label: 'Refused by the guard', icon: 'shield' },
};

type Node = { kind: 'group'; status: CandidateStatus; count: number } | { kind: 'candidate'; candidate: CandidateRecord };

/**
 * The Candidates view: candidates grouped by status. Awaiting review comes first, in
 * the review queue's order (oldest first, as the panel and the quick pick go through
 * it); the other groups show the newest first.
 */
export class CandidatesView extends SessionTreeView<Node> {
  getChildren(node?: Node): Node[] {
    if (!node) {
      const candidates = this.session.candidates();
      return (Object.keys(GROUPS) as CandidateStatus[])
        .map((status) => ({ kind: 'group' as const, status, count: candidates.filter((c) => c.status === status).length }))
        .filter((g) => g.count > 0);
    }
    if (node.kind === 'candidate') return [];
    const members = node.status === 'pending' ? this.session.pending() : this.session.candidates().filter((c) => c.status === node.status).reverse();
    return members.map((candidate) => ({ kind: 'candidate', candidate }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const group = GROUPS[node.status];
      const item = new vscode.TreeItem(group.label, node.status === 'pending' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.description = String(node.count);
      item.iconPath = new vscode.ThemeIcon(group.icon);
      item.id = `group:${node.status}`;
      return item;
    }
    const c = node.candidate;
    const item = new vscode.TreeItem(c.title, vscode.TreeItemCollapsibleState.None);
    item.id = c.id;
    item.description = [candidateDelta(c), ...c.flags].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(
      [`**${escape(c.title)}**`, `${c.status}${c.reason ? `: ${escape(c.reason)}` : ''}`, `candidate \`${c.id}\` · parent ${parentName(c.parent.id)} · ${c.proposer}`].join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(c.flags.length > 0 ? 'warning' : GROUPS[c.status].icon);
    item.contextValue = `candidate.${c.status}`;
    item.command = { command: 'aiai.openReview', title: 'Open Review Panel', arguments: [c.id] };
    return item;
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|]/g, '\\$&');
}
