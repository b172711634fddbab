import * as vscode from 'vscode';
import type { Version } from '../core/review/versions';
import { shortDate, versionMetric } from './format';
import { SessionTreeView } from './sessionTreeView';

export interface VersionNode {
  version: Version;
  /** The objective metric at this version, as shown. */
  metric: string;
}

/** The Versions view: the version timeline, newest first, the baseline last. */
export class VersionsView extends SessionTreeView<VersionNode> {
  async getChildren(node?: VersionNode): Promise<VersionNode[]> {
    if (node || !this.session.folder()) return [];
    try {
      const metric = this.session.config().objective.metric;
      return (await this.session.versions()).map((version) => ({ version, metric: versionMetric(version, metric) }));
    } catch {
      return []; // no config or no repository yet: the welcome view says what to do
    }
  }

  getTreeItem({ version: v, metric }: VersionNode): vscode.TreeItem {
    const item = new vscode.TreeItem(`${v.version} · ${metric}`, vscode.TreeItemCollapsibleState.None);
    item.id = v.commit;
    item.description = `${v.title} · ${shortDate(v.date)}`;
    item.tooltip = `${v.kind} ${v.commit.slice(0, 8)}${v.candidate ? ` (candidate ${v.candidate})` : ''}\n${metric}\n${v.date}`;
    item.iconPath = new vscode.ThemeIcon(v.kind === 'baseline' ? 'circle-outline' : v.kind === 'rollback' ? 'discard' : 'git-commit');
    item.contextValue = 'version';
    return item;
  }
}
