import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/common/errors';
import { CONFIG_FILE } from '../core/config/config';
import type { Version } from '../core/review/versions';
import { shortDate, versionMetric } from './format';
import { SessionTreeView } from './sessionTreeView';
import type { WorkspaceSession } from './workspaceSession';

export interface VersionNode {
  version: Version;
  /** The objective metric at this version, as shown. */
  metric: string;
}

/** A row of the view: a version, or why the timeline cannot be read (it has no menu). */
export type VersionRow = VersionNode | { unreadable: string };

/** The Versions view: the version timeline, newest first, the baseline last. */
export class VersionsView extends SessionTreeView<VersionRow> {
  constructor(
    session: WorkspaceSession,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super(session);
  }

  async getChildren(node?: VersionRow): Promise<VersionRow[]> {
    const folder = this.session.folder();
    // No config yet is no failure: the view stays empty and its welcome says what to do.
    if (node || !folder || !existsSync(path.join(folder, CONFIG_FILE))) return [];
    try {
      const metric = this.session.config().objective.metric;
      return (await this.session.versions()).map((version) => ({ version, metric: versionMetric(version, metric) }));
    } catch (error) {
      // Logged, not reported: the view reads on every change, and says why in its one row.
      this.log.error(`read the version timeline: ${errorMessage(error)}`);
      return [{ unreadable: errorMessage(error) }];
    }
  }

  getTreeItem(row: VersionRow): vscode.TreeItem {
    if ('unreadable' in row) {
      const item = new vscode.TreeItem('The versions cannot be read', vscode.TreeItemCollapsibleState.None);
      item.description = row.unreadable;
      item.tooltip = `${row.unreadable}\n(also in the AIAI log)`;
      item.iconPath = new vscode.ThemeIcon('warning');
      item.contextValue = 'unreadable';
      return item;
    }
    const { version: v, metric } = row;
    const item = new vscode.TreeItem(`${v.version} · ${metric}`, vscode.TreeItemCollapsibleState.None);
    item.id = v.commit;
    item.description = `${v.title} · ${shortDate(v.date)}`;
    item.tooltip = `${v.kind} ${v.commit.slice(0, 8)}${v.candidate ? ` (candidate ${v.candidate})` : ''}\n${metric}\n${v.date}`;
    item.iconPath = new vscode.ThemeIcon(v.kind === 'baseline' ? 'circle-outline' : v.kind === 'rollback' ? 'discard' : 'git-commit');
    item.contextValue = 'version';
    return item;
  }
}
