import * as vscode from 'vscode';
import { runLoop, type LoopEvent } from '../core/loop/loop';
import { formatNumber } from '../shared/format';
import { assertNever } from '../shared/assertNever';
import type { CandidateRecord } from '../core/record/records';
import { candidateDelta } from './format';
import type { ApiKeyStore } from './apiKey';
import { Disposable } from './disposable';
import type { WorkspaceSession } from './workspaceSession';

export type LoopState = { running: false } | { running: true; done: number; total: number };

/**
 * Starts and stops the engine's loop in this window, with progress, log and
 * notifications. A failure propagates to the caller (the command), which reports it.
 */
export class LoopRunner extends Disposable {
  private readonly stateChanged = this.register(new vscode.EventEmitter<LoopState>());
  readonly onDidChangeState = this.stateChanged.event;
  private controller: AbortController | undefined;
  private current: LoopState = { running: false };

  constructor(
    private readonly session: WorkspaceSession,
    private readonly log: vscode.LogOutputChannel,
    private readonly apiKey: ApiKeyStore,
    private readonly openReview: (id: string) => void,
  ) {
    super();
    this.register(new vscode.Disposable(() => this.controller?.abort()));
  }

  get state(): LoopState {
    return this.current;
  }

  async start(): Promise<void> {
    if (this.controller) {
      void vscode.window.showInformationMessage('AIAI: the improvement loop is already running.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('AIAI: this workspace is not trusted, so aiai will not run its evaluation commands. Trust the workspace to start the loop.');
      return;
    }
    const folder = this.session.requireFolder();
    const iterations = this.settingsIterations();
    const parallel = this.settingsParallel();
    const total = iterations ?? this.session.config().budget.iterations;
    const controller = new AbortController();
    this.controller = controller;
    this.setState({ running: true, done: 0, total });
    void vscode.commands.executeCommand('setContext', 'aiai.running', true);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'AIAI', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          progress.report({ message: 'evaluating the current version…' });
          const summary = await runLoop(folder, {
            signal: controller.signal,
            env: { ...process.env, ...(await this.apiKey.env()) },
            ...(iterations ? { iterations } : {}),
            ...(parallel ? { parallel } : {}),
            onEvent: (event) => this.onEvent(event, progress, total),
          });
          const pending = summary.candidates.filter((c) => c.status === 'pending').length;
          this.log.info(`run ${summary.run.id} ${summary.run.state}: ${summary.run.stopReason ?? ''}; ${pending} candidate(s) await review`);
        },
      );
    } finally {
      this.controller = undefined;
      this.setState({ running: false });
      void vscode.commands.executeCommand('setContext', 'aiai.running', false);
      this.session.refresh();
    }
  }

  stop(): void {
    if (!this.controller) {
      void vscode.window.showInformationMessage('AIAI: the improvement loop is not running.');
      return;
    }
    this.log.info('stopping: the candidate in flight is discarded');
    this.controller.abort();
  }

  private onEvent(event: LoopEvent, progress: vscode.Progress<{ message?: string; increment?: number }>, total: number): void {
    switch (event.type) {
      case 'notice':
        this.log.warn(event.message);
        void this.showNotice(event.message);
        return;
      case 'baseline':
        this.log.info(`baseline ${event.evaluation.commit.slice(0, 8)}: objective ${formatNumber(event.objectiveValue)}`);
        progress.report({ message: `baseline ${formatNumber(event.objectiveValue)}; proposing candidate 1 of ${total}…` });
        return;
      case 'candidate':
        this.onCandidate(event.candidate, event.index, total, progress);
        return;
      case 'stopped':
        this.log.info(`stopped: ${event.reason}`);
        return;
      default:
        assertNever(event);
    }
  }

  private onCandidate(c: CandidateRecord, index: number, total: number, progress: vscode.Progress<{ message?: string; increment?: number }>): void {
    const done = this.current.running ? this.current.done + 1 : index;
    this.setState({ running: true, done, total });
    this.log.info(`[${index}/${total}] ${c.id} ${c.status} ${candidateDelta(c)} ${c.title}${c.reason ? ` — ${c.reason}` : ''}`);
    progress.report({ message: `${done} of ${total} done; last: ${c.status} ${candidateDelta(c)}`, increment: 100 / total });
    this.session.refresh();
    if (c.status === 'pending' && vscode.workspace.getConfiguration('aiai').get<boolean>('notifyOnPending', true)) {
      void vscode.window
        .showInformationMessage(`AIAI: a candidate awaits review: ${c.title} (${candidateDelta(c)})`, 'Open Review Panel')
        .then((choice) => choice && this.openReview(c.id));
    }
  }

  private async showNotice(message: string): Promise<void> {
    const setKey = /API key/.test(message) ? ['Set Anthropic API Key'] : [];
    const choice = await vscode.window.showWarningMessage(`AIAI: ${message}`, ...setKey);
    if (choice) await vscode.commands.executeCommand('aiai.setApiKey');
  }

  private setState(state: LoopState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }

  private settingsIterations(): number | undefined {
    return vscode.workspace.getConfiguration('aiai').get<number | null>('iterations') ?? undefined;
  }

  private settingsParallel(): number | undefined {
    return vscode.workspace.getConfiguration('aiai').get<number | null>('parallel') ?? undefined;
  }
}
