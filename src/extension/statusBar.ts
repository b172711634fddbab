import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { LoopRunner } from './loopRunner';
import type { WorkspaceSession } from './workspaceSession';

/** idle / running i of N / K awaiting review; a click opens the review panel. */
export class StatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('aiai.status', vscode.StatusBarAlignment.Left, 10));

  constructor(
    private readonly session: WorkspaceSession,
    private readonly loop: LoopRunner,
  ) {
    super();
    this.item.name = 'AIAI';
    this.item.command = 'aiai.openReview';
    this.register(session.onDidChange(() => this.update()));
    this.register(loop.onDidChangeState(() => this.update()));
    this.update();
    this.item.show();
  }

  private update(): void {
    const state = this.loop.state;
    const waiting = this.session.pending().length;
    const parts = [state.running ? `running ${state.done + 1 > state.total ? state.total : state.done + 1} of ${state.total}` : waiting === 0 ? 'idle' : ''];
    if (waiting > 0) parts.push(`${waiting} awaiting review`);
    this.item.text = `${state.running ? '$(sync~spin)' : waiting > 0 ? '$(bell-dot)' : '$(beaker)'} AIAI: ${parts.filter(Boolean).join(' · ')}`;
    this.item.tooltip = 'AIAI: open the review panel';
  }
}
