import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { LoopRunner } from './loopRunner';
import type { WorkspaceSession } from './workspaceSession';

/** What the status bar reads of the loop: the LoopRunner's state, and its changes. */
export type LoopStatus = Pick<LoopRunner, 'state' | 'onDidChangeState'>;

/** idle / running i of N / K awaiting review; a click opens the review panel. */
export class StatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('aiai.status', vscode.StatusBarAlignment.Left, 10));
  /** Resolves once the item shows its first count. */
  readonly shown: Promise<void>;

  constructor(
    private readonly session: WorkspaceSession,
    private readonly loop: LoopStatus,
  ) {
    super();
    this.item.name = 'AIAI';
    this.item.command = 'aiai.openReview';
    this.item.tooltip = 'AIAI: open the review panel';
    this.register(session.onDidChange(() => this.update()));
    this.register(loop.onDidChangeState(() => this.update()));
    // The first count reads the store: once activation has returned, since VS Code waits for that when it starts.
    this.shown = new Promise((resolve) => {
      const first = setTimeout(() => {
        this.update();
        this.item.show();
        resolve();
      }, 0);
      this.register(new vscode.Disposable(() => clearTimeout(first)));
    });
  }

  /** What the item says, as a person reads it in the status bar. */
  get text(): string {
    return this.item.text;
  }

  private update(): void {
    const state = this.loop.state;
    const waiting = this.session.pending().length;
    const parts = [state.running ? `running ${state.done + 1 > state.total ? state.total : state.done + 1} of ${state.total}` : waiting === 0 ? 'idle' : ''];
    if (waiting > 0) parts.push(`${waiting} awaiting review`);
    this.item.text = `${state.running ? '$(sync~spin)' : waiting > 0 ? '$(bell-dot)' : '$(beaker)'} AIAI: ${parts.filter(Boolean).join(' · ')}`;
  }
}
