import * as vscode from 'vscode';
import type { WorkspaceSession } from './workspaceSession';

/** A tree view over the workspace's records, redrawn whenever they may have changed. */
export abstract class SessionTreeView<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(protected readonly session: WorkspaceSession) {
    this.subscription = session.onDidChange(() => this.changed.fire());
  }

  abstract getChildren(node?: T): T[] | Promise<T[]>;
  abstract getTreeItem(node: T): vscode.TreeItem;

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
