import * as vscode from 'vscode';
import { runtimeError } from '../core/common/errors';
import { runLoop, type LoopEvent } from '../core/loop/loop';
import type { PersonOptions, PersonResult } from '../core/loop/personCandidate';
import { formatNumber } from '../shared/format';
import { assertNever } from '../shared/assertNever';
import type { CandidateRecord } from '../core/record/records';
import { candidateDelta } from './format';
import type { ApiKeyStore } from './apiKey';
import { Disposable } from './disposable';
import type { WorkspaceSession } from './workspaceSession';

export type LoopState = { running: false } | { running: true; done: number; total: number };

type Progress = vscode.Progress<{ message?: string; increment?: number }>;

/** What a person's candidate is graded with: PersonOptions less who made it and its title, which each action gives. */
export type Grading = Pick<PersonOptions, 'signal' | 'onEvent' | 'env'>;

/**
 * Starts and stops the engine's runs in this window, with progress, log and
 * notifications: the loop's, and the run of one candidate a person made (their
 * edits, part of a candidate). One at a time, as the engine's run lock allows. A
 * failure propagates to the caller (the command), which reports it.
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
    await this.running(total, 'evaluating the current version…', async (signal, progress) => {
      const summary = await runLoop(folder, {
        signal,
        env: await this.env(),
        ...(iterations ? { iterations } : {}),
        ...(parallel ? { parallel } : {}),
        onEvent: (event) => this.onEvent(event, progress, total, 'loop'),
      });
      const pending = summary.candidates.filter((c) => c.status === 'pending').length;
      this.log.info(`run ${summary.run.id} ${summary.run.state}: ${summary.run.stopReason ?? ''}; ${pending} candidate(s) await review`);
    });
  }

  /**
   * Grades one candidate a person made (`what` says which, for the progress and the
   * log) in a run of its own, as the loop's runs go: progress with Cancel, the status
   * bar, the log. Refused, before anything runs, while another run goes on or when
   * the workspace is not trusted.
   */
  async grade(what: string, make: (grading: Grading) => Promise<PersonResult>): Promise<PersonResult> {
    if (this.controller) throw runtimeError(`a run is going on in this window; grade ${what} once it is done, or stop it`);
    if (!vscode.workspace.isTrusted) throw runtimeError('this workspace is not trusted, so aiai will not run its evaluation commands here');
    this.log.info(`grading ${what}`);
    return this.running(1, `grading ${what}…`, async (signal, progress) => {
      const result = await make({ signal, env: await this.env(), onEvent: (event) => this.onEvent(event, progress, 1, 'person') });
      this.log.info(`run ${result.run.id} ${result.run.state}: ${result.candidate ? `candidate ${result.candidate.id} ${result.candidate.status}` : 'stopped before the candidate was graded'}`);
      return result;
    });
  }

  stop(): void {
    if (!this.controller) {
      void vscode.window.showInformationMessage('AIAI: the improvement loop is not running.');
      return;
    }
    this.log.info('stopping: the candidate in flight is discarded');
    this.controller.abort();
  }

  /** Runs `body` as this window's one run, under a progress notification whose Cancel stops it. */
  private async running<T>(total: number, first: string, body: (signal: AbortSignal, progress: Progress) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.controller = controller;
    this.setState({ running: true, done: 0, total });
    void vscode.commands.executeCommand('setContext', 'aiai.running', true);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AIAI', cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: first });
        return body(controller.signal, progress);
      });
    } finally {
      this.controller = undefined;
      this.setState({ running: false });
      void vscode.commands.executeCommand('setContext', 'aiai.running', false);
      this.session.refresh();
    }
  }

  private async env(): Promise<NodeJS.ProcessEnv> {
    return { ...process.env, ...(await this.apiKey.env()) };
  }

  private onEvent(event: LoopEvent, progress: Progress, total: number, by: 'loop' | 'person'): void {
    switch (event.type) {
      case 'notice':
        if (event.quiet) {
          this.log.info(event.message);
          return;
        }
        this.log.warn(event.message);
        void this.showNotice(event.message);
        return;
      case 'baseline':
        this.log.info(`baseline ${event.evaluation.commit.slice(0, 8)}: objective ${formatNumber(event.objectiveValue)}`);
        progress.report({ message: `baseline ${formatNumber(event.objectiveValue)}; ${by === 'loop' ? `proposing candidate 1 of ${total}` : 'grading the candidate'}…` });
        return;
      case 'candidate':
        this.onCandidate(event.candidate, event.index, total, progress, by);
        return;
      case 'stopped':
        this.log.info(`stopped: ${event.reason}`);
        return;
      default:
        assertNever(event);
    }
  }

  private onCandidate(c: CandidateRecord, index: number, total: number, progress: Progress, by: 'loop' | 'person'): void {
    const done = this.current.running ? this.current.done + 1 : index;
    this.setState({ running: true, done, total });
    this.log.info(`[${index}/${total}] ${c.id} ${c.status} ${candidateDelta(c)} ${c.title}${c.reason ? ` — ${c.reason}` : ''}`);
    progress.report({ message: `${done} of ${total} done; last: ${c.status} ${candidateDelta(c)}`, increment: 100 / total });
    this.session.refresh();
    // A person's candidate opens in the review panel once graded: no need to announce it.
    if (by === 'loop' && c.status === 'pending' && vscode.workspace.getConfiguration('aiai').get<boolean>('notifyOnPending', true)) {
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
