import * as vscode from 'vscode';
import { errorMessage } from '../core/common/errors';
import { modelTallies } from '../core/review/models';
import { reviewOf } from '../core/review/review';
import { assertNever } from '../shared/assertNever';
import type { Coauthor } from './coauthor';
import type { Decisions } from './decisions';
import { casePage, chainOf } from './evidence';
import { lineageOf } from './listing';
import { PagePanel, type PageMessage } from './pagePanel';
import type { WorkspaceSession } from './workspaceSession';
import type { RunRecord } from '../core/record/records';
import type { Outcome, RunPicture } from '../protocol';

export const REVIEW_VIEW_TYPE = 'aiai.review';
/** The workspace state key of the editor column the person last moved the panel to. */
const MOVED_TO = 'aiai.review.column';
const POSITION = 'aiai.review.position';

/** What the panel keeps across reloads (besides the webview's own UI state). */
interface PanelState {
  id?: string;
}

/** What an action in the panel did, to show beside its buttons, and the candidate to show next (the same when absent). */
interface Done {
  message: string;
  show?: string | undefined;
}

/**
 * The review panel: one WebviewPanel showing one candidate at a time. The extension
 * owns the state and sends complete snapshots once the webview says it is ready.
 */
export class ReviewPanel extends PagePanel {
  private candidateId: string | undefined;
  /**
   * What came of the person's last decision. It travels in every snapshot until their
   * next action, so a panel hidden (and its webview torn down) meanwhile still shows it.
   */
  private outcome: Outcome | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly session: WorkspaceSession,
    private readonly decisions: Decisions,
    private readonly coauthor: Coauthor,
    log: vscode.LogOutputChannel,
    private readonly memory: vscode.Memento,
  ) {
    super(extensionUri, 'AIAI Review', log);
    this.register(session.onDidChange(() => void this.post()));
    this.register(coauthor.onDidChange(() => void this.post()));
    // A new choice of position wins over where the panel was moved under the old one.
    this.register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(POSITION) && void this.memory.update(MOVED_TO, undefined)));
  }

  /**
   * Opens (or reveals) the panel on a candidate: the given one (by id or prefix), else
   * the one shown last, else the first awaiting review; with what came of an action
   * taken elsewhere (the palette), if given.
   */
  show(id?: string, outcome?: Outcome): void {
    if (outcome) this.outcome = outcome;
    this.candidateId = (id === undefined ? undefined : this.resolve(id)) ?? this.candidateId ?? this.session.pending()[0]?.id;
    if (this.panel) {
      // Where it is: the person may have moved it.
      this.panel.reveal(this.panel.viewColumn);
      void this.post();
      return;
    }
    this.open(REVIEW_VIEW_TYPE, 'AIAI Review', this.column());
  }

  /** Where the panel opens: where the person last moved it, else beside the editor (or over it, as the setting says). */
  private column(): vscode.ViewColumn {
    const moved = this.memory.get<number>(MOVED_TO);
    if (moved !== undefined) return moved;
    return vscode.workspace.getConfiguration().get<string>(POSITION) === 'active' ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside;
  }

  /** Takes over a panel VS Code restored after a reload. */
  restore(panel: vscode.WebviewPanel, state: PanelState | undefined): void {
    this.panel?.dispose();
    this.candidateId = state?.id ?? this.session.pending()[0]?.id;
    this.adopt(panel);
  }

  /** A whole id as listed (what the views pass), else the one candidate an id prefix names. */
  private resolve(idOrPrefix: string): string {
    return this.session.listing().byId.has(idOrPrefix) ? idOrPrefix : this.session.candidate(idOrPrefix).id;
  }

  get visibleCandidate(): string | undefined {
    return this.panel ? this.candidateId : undefined;
  }

  /** Where to open files for the person to edit: the first editor group, unless the panel is there. */
  editorColumn(): vscode.ViewColumn {
    return this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
  }

  /** A column other than the one the panel opened in (known once it shows) is where the person moved it. */
  protected override viewStateListener(panel: vscode.WebviewPanel): () => void {
    let openedIn = panel.viewColumn;
    return () => {
      if (openedIn === undefined) openedIn = panel.viewColumn;
      else if (panel.viewColumn !== undefined && panel.viewColumn !== openedIn) void this.memory.update(MOVED_TO, (openedIn = panel.viewColumn));
    };
  }

  protected async handle(message: PageMessage): Promise<void> {
    // Any action of the person's means they have seen the last outcome; a list asking for a page is not one.
    if (message.type !== 'casePage') this.outcome = undefined;
    switch (message.type) {
      case 'navigate':
        this.candidateId = message.id;
        await this.post();
        return;
      case 'openDiff':
        await this.act(() => this.decisions.openDiff(message.id));
        return;
      case 'approve':
        await this.act(async () => this.next(await this.decisions.approve(message.id, message.contentHash)));
        return;
      case 'reject':
        await this.act(async () => this.next(await this.decisions.reject(message.id, message.reason, message.because)));
        return;
      case 'editInWorkspace':
        await this.act(async () => ({ message: await this.coauthor.editInWorkspace(message.id, this.editorColumn()) }));
        return;
      case 'evaluateSelection':
        await this.act(async () => {
          const graded = await this.coauthor.evaluateSelection(message.id, message.files);
          return { message: graded.message, show: graded.id };
        });
        return;
      case 'openLessons':
        await this.act(async () => {
          await vscode.window.showTextDocument(this.session.lessonsUri(), { viewColumn: vscode.ViewColumn.Beside });
        });
        return;
      case 'casePage':
        this.send(casePage(this.session, this.log, message.id, message.query));
        return;
      case 'compareWith':
        // Through the command, which asks what to compare with and reports a failure as any command does.
        await vscode.commands.executeCommand('aiai.compare', { kind: 'candidate', id: message.id });
        return;
      case 'comparePage':
      case 'openCompareDiff':
        return; // a comparison's own: the compare panel answers them
      default:
        assertNever(message);
    }
  }

  /**
   * Runs what the person asked for in the panel. What it did is shown beside the
   * buttons, on the candidate it says to show next; a failure is shown there too,
   * and thrown for the request's reply. Either is sent before the reply, so the page
   * never re-enables its buttons on the snapshot from before the action.
   */
  private async act(run: () => Promise<Done | void>): Promise<void> {
    try {
      const done = await run();
      if (done) {
        this.outcome = { level: 'info', message: done.message };
        this.candidateId = done.show ?? this.candidateId;
      }
    } catch (error) {
      this.outcome = { level: 'error', message: errorMessage(error) };
      throw error;
    } finally {
      await this.post();
    }
  }

  /** A decision moves the panel on to the next candidate awaiting review. */
  private next(message: string): Done {
    return { message, show: this.session.pending()[0]?.id };
  }

  /**
   * Sends the snapshot of the candidate shown. Of the full records it reads only that
   * candidate's and its run's (the per-model table adds up their usage); the lineage,
   * the run's picture and the queue come from the summaries. The trends take a git
   * log: a snapshot overtaken by a later one while they are read is not sent.
   */
  protected async postNow(seq: number): Promise<void> {
    const unread: string[] = [];
    const trends = await this.session.trends().then(
      (t) => ({ trends: t }),
      (error: unknown) => this.couldNotRead(unread, 'The trends across runs', error) ?? {},
    );
    if (this.overtaken(seq)) return;
    const extras = { ...(this.outcome ? { outcome: this.outcome } : {}), ...trends, unread };
    const listing = this.session.listing();
    const shown = this.candidateId === undefined ? undefined : listing.byId.get(this.candidateId);
    if (!shown) {
      this.send({ type: 'empty', message: listing.candidates.length === 0 ? 'No candidates yet. Run “AIAI: Start Improvement Loop”.' : 'No candidate awaits review.', ...extras });
      return;
    }
    let config;
    let candidate;
    try {
      config = this.session.config();
      candidate = this.session.candidate(shown.id);
    } catch (error) {
      // Logged and shown rather than reported: this runs on every change, and the commands report it when used.
      this.log.error(`show the review of ${shown.id}: ${errorMessage(error)}`);
      this.send({ type: 'empty', message: `The review cannot be shown: ${errorMessage(error)}`, ...extras });
      return;
    }
    const trusted = vscode.workspace.isTrusted;
    const [coauthoring, chain] = await Promise.all([
      this.coauthor.coauthoring(candidate, config, trusted),
      chainOf(this.session, candidate).catch((error: unknown) => this.couldNotRead(unread, 'What approving applies (the candidates it grew from)', error)),
    ]);
    if (this.overtaken(seq) || !this.panel) return;
    const run = listing.runs.find((r) => r.id === candidate.runId)?.candidates ?? [];
    const runRecords = this.session.some(new Set(run.map((c) => c.id)));
    const lessons = this.session.lessons();
    this.panel.title = `AIAI Review: ${candidate.title}`;
    this.send({
      type: 'review',
      snapshot: {
        review: reviewOf(candidate, config.objective, lineageOf(candidate.id, listing.byId)),
        run: {
          points: run.map((c) => ({ id: c.id, parent: c.parent.id, status: c.status, title: c.title, ...(c.objective ? { value: c.objective.value } : {}), ...(c.objective?.partial ? { partial: true } : {}) })),
          ...(candidate.objective ? { current: candidate.objective.current } : {}),
          metric: config.objective.metric,
          models: modelTallies([...runRecords.values()]),
          ...raceOf(this.session.run(candidate.runId)),
        },
        pending: listing.pending.map((c) => ({ id: c.id, title: c.title })),
        canDecide: candidate.status === 'pending' && trusted,
        coauthoring,
        ...(trusted ? {} : { untrusted: 'This workspace is not trusted: aiai does not run evaluations or deploy here.' }),
        ...(lessons ? { lessons } : {}),
        ...(chain ? { chain } : {}),
        ...extras,
      },
    });
  }

  /**
   * A read for the snapshot that failed: logged, and named in the panel, which shows
   * the rest without it (not reported: this runs on every change).
   */
  private couldNotRead(unread: string[], what: string, error: unknown): undefined {
    this.log.error(`${what} cannot be shown: ${errorMessage(error)}`);
    unread.push(`${what} cannot be shown: ${errorMessage(error)}`);
    return undefined;
  }

  /** The serializer VS Code calls to bring the panel back after a window reload. */
  serializer(): vscode.WebviewPanelSerializer<PanelState> {
    return {
      deserializeWebviewPanel: async (panel, state) => this.restore(panel, state),
    };
  }
}

/** The run's race tally, when a candidate of it raced. */
function raceOf(run: RunRecord | undefined): Pick<RunPicture, 'race'> {
  return run?.race ? { race: run.race } : {};
}
