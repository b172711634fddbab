import * as vscode from 'vscode';
import type { CandidateRecord, CandidateStatus } from '../core/record/store';
import { candidateDelta } from './format';
import { SessionTreeView } from './sessionTreeView';

const GROUPS: Array<{ status: CandidateStatus; label: string; icon: string }> = [
  { status: 'pending', label: 'Awaiting review', icon: 'bell-dot' },
  { status: 'approved', label: 'Approved', icon: 'pass' },
  { status: 'rejected', label: 'Rejected', icon: 'circle-slash' },
  { status: 'failed', label: 'Failed', icon: 'error' },
  { status: 'refused', label: 'Refused by the guard', icon: 'shield' },
];

type Node = { kind: 'group'; status: CandidateStatus; label: string; icon: string; count: number } | { kind: 'candidate'; candidate: CandidateRecord };

/** The Candidates view: candidates grouped by status, awaiting review first, newest first. */
export class CandidatesView extends SessionTreeView<Node> {
  getChildren(node?: Node): Node[] {
    const candidates = this.session.candidates().reverse();
    if (!node) {
      return GROUPS.map((g) => ({ kind: 'group' as const, ...g, count: candidates.filter((c) => c.status === g.status).length })).filter((g) => g.count > 0);
    }
    return node.kind === 'group' ? candidates.filter((c) => c.status === node.status).map((candidate) => ({ kind: 'candidate', candidate })) : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, node.status === 'pending' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.description = String(node.count);
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.id = `group:${node.status}`;
      return item;
    }
    const c = node.candidate;
    const item = new vscode.TreeItem(c.title, vscode.TreeItemCollapsibleState.None);
    item.id = c.id;
    item.description = [candidateDelta(c), ...c.flags].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(
      [`**${escape(c.title)}**`, `${c.status}${c.reason ? `: ${escape(c.reason)}` : ''}`, `candidate \`${c.id}\` · parent ${c.parent.id ?? 'baseline'} · ${c.proposer}`].join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(c.flags.length > 0 ? 'warning' : GROUPS.find((g) => g.status === c.status)!.icon);
    item.contextValue = `candidate.${c.status}`;
    item.command = { command: 'aiai.openReview', title: 'Open Review Panel', arguments: [c.id] };
    return item;
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|]/g, '\\$&');
}
