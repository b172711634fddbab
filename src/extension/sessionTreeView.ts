import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { WorkspaceSession } from './workspaceSession';

/** A tree view over the workspace's records, redrawn whenever they may have changed. */
export abstract class SessionTreeView<T> extends Disposable implements vscode.TreeDataProvider<T> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(protected readonly session: WorkspaceSession) {
    super();
    this.register(session.onDidChange(() => this.changed.fire()));
  }

  abstract getChildren(node?: T): T[] | Promise<T[]>;
  abstract getTreeItem(node: T): vscode.TreeItem;
}
