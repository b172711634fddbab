import * as vscode from 'vscode';
import type { CandidateStatus } from '../core/record/records';
import type { DamagedRecord } from '../core/record/store';
import type { CandidateBrief } from '../core/record/summary';
import { assertNever } from '../shared/assertNever';
import { parentName } from '../shared/format';
import { candidateDelta, shortDate } from './format';
import { runOrder, type RunListing } from './listing';
import { SessionTreeView } from './sessionTreeView';

/** Each status's icon, and the words a tooltip uses for it. */
const STATUSES: Record<CandidateStatus, { label: string; icon: string }> = {
  pending: { label: 'awaiting review', icon: 'bell-dot' },
  approved: { label: 'approved', icon: 'pass' },
  rejected: { label: 'rejected', icon: 'circle-slash' },
  failed: { label: 'failed', icon: 'error' },
  refused: { label: 'refused by the guard', icon: 'shield' },
  superseded: { label: 'superseded', icon: 'circle-outline' },
};

export type CandidateNode =
  | { kind: 'run'; run: RunListing; newest: boolean }
  | { kind: 'candidate'; candidate: CandidateBrief }
  | { kind: 'damaged'; record: DamagedRecord };

/**
 * The Candidates view: one group per run, the newest first. The newest run and any
 * run with a candidate awaiting review are expanded, the others folded; a run's
 * candidates are only listed when it is expanded, so a store of thousands of
 * candidates shows as a hundred rows. Within a run, awaiting review comes first in
 * the review queue's order (clean before flagged, oldest first, as the panel and the
 * quick pick go through it), then the rest, newest first, then its records that
 * cannot be read.
 */
export class CandidatesView extends SessionTreeView<CandidateNode> {
  getChildren(node?: CandidateNode): CandidateNode[] {
    if (!node) return this.session.listing().runs.map((run, i) => ({ kind: 'run', run, newest: i === 0 }));
    if (node.kind !== 'run') return [];
    return [
      ...runOrder(node.run).map((candidate): CandidateNode => ({ kind: 'candidate', candidate })),
      ...node.run.damaged.map((record): CandidateNode => ({ kind: 'damaged', record })),
    ];
  }

  getTreeItem(node: CandidateNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run':
        return runItem(node.run, node.newest);
      case 'candidate':
        return candidateItem(node.candidate);
      case 'damaged':
        return damagedItem(node.record);
      default:
        return assertNever(node);
    }
  }
}

function runItem(run: RunListing, newest: boolean): vscode.TreeItem {
  const expanded = newest || run.pending > 0;
  const counts = [count(run.candidates.length, 'candidate'), ...(run.pending > 0 ? [`${run.pending} awaiting review`] : [])].join(', ');
  const item = new vscode.TreeItem(`${shortDate(run.startedAt)} · ${counts}`, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `run:${run.id}`;
  item.description = run.damaged.length > 0 ? count(run.damaged.length, 'damaged record') : '';
  item.tooltip = [`Run ${run.id}, started ${run.startedAt}`, counts, ...(run.damaged.length > 0 ? [`${count(run.damaged.length, 'record')} cannot be read`] : [])].join('\n');
  item.iconPath = new vscode.ThemeIcon(run.pending > 0 ? 'bell-dot' : run.damaged.length > 0 ? 'warning' : 'history');
  item.contextValue = 'run';
  return item;
}

function candidateItem(c: CandidateBrief): vscode.TreeItem {
  const item = new vscode.TreeItem(c.title, vscode.TreeItemCollapsibleState.None);
  item.id = c.id;
  item.description = [candidateDelta(c), ...c.flags].filter(Boolean).join(' · ');
  item.tooltip = new vscode.MarkdownString(
    [`**${escape(c.title)}**`, `${STATUSES[c.status].label}${c.reason ? `: ${escape(c.reason)}` : ''}`, [`candidate \`${c.id}\``, `parent ${parentName(c.parent.id)}`, ...(c.model ? [escape(c.model)] : [])].join(' · ')].join('\n\n'),
  );
  item.iconPath = new vscode.ThemeIcon(c.flags.length > 0 ? 'warning' : STATUSES[c.status].icon);
  item.contextValue = `candidate.${c.status}`;
  item.command = { command: 'aiai.openReview', title: 'Open Review Panel', arguments: [c.id] };
  return item;
}

/** A record that cannot be read (truncated, edited by hand): named, with its file, and kept as it is. */
function damagedItem(d: DamagedRecord): vscode.TreeItem {
  const item = new vscode.TreeItem(d.id, vscode.TreeItemCollapsibleState.None);
  item.id = `damaged:${d.file}`;
  item.description = 'cannot be read';
  item.tooltip = `The record of candidate ${d.id} cannot be read; it is kept as it is.\n${d.file}`;
  item.iconPath = new vscode.ThemeIcon('warning');
  item.contextValue = 'candidate.damaged';
  item.command = { command: 'vscode.open', title: 'Open Record', arguments: [vscode.Uri.file(d.file)] };
  return item;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|]/g, '\\$&');
}
