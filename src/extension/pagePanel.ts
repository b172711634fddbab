import * as vscode from 'vscode';
import { errorMessage } from '../core/common/errors';
import { parseFromWebview, type FromWebview, type Request, type ToWebview } from '../protocol';
import { Disposable } from './disposable';
import { reportError } from './errors';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** A message from the page that its panel handles: `ready` and `unreadable` are the base's own. */
export type PageMessage = Exclude<FromWebview, { type: 'ready' | 'unreadable' }>;

/** What each request does, for the log and for the error a person is shown. */
const DOING: Record<Request['type'], string> = {
  approve: 'approve',
  reject: 'reject',
  openDiff: 'open the diff',
  openLessons: 'open the lessons',
  compareWith: 'compare',
  openCompareDiff: 'open the diff of the comparison',
  editInWorkspace: 'edit in the workspace',
  evaluateSelection: 'evaluate the selection',
};

const BUSY = 'another action of this panel is still in progress; try again once it is done';

/**
 * What the review and the comparison share: one WebviewPanel at a time showing our
 * page (the same bundle and protocol), messages checked on arrival, requests carried
 * out one at a time and each answered once, and complete snapshots sent once the
 * page says it is ready, only the last one asked for.
 */
export abstract class PagePanel extends Disposable {
  private readonly sent = this.register(new vscode.EventEmitter<ToWebview>());
  /** Every message posted to the webview, for tests and other observers. */
  readonly onDidSend = this.sent.event;
  private readonly received = this.register(new vscode.EventEmitter<FromWebview>());
  /** Every message from the webview that matched the protocol, before it is handled. */
  readonly onDidReceive = this.received.event;
  protected panel: vscode.WebviewPanel | undefined;
  /** The page said it is ready, and VS Code has not torn it down since. */
  private ready = false;
  /** Snapshots asked for so far: only the last one asked for is sent. */
  private posts = 0;
  /** The snapshot being built, the last one asked for. */
  private posting: Promise<void> = Promise.resolve();
  /** A request is being carried out. */
  private acting = false;

  constructor(
    protected readonly extensionUri: vscode.Uri,
    private readonly pageTitle: string,
    protected readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(new vscode.Disposable(() => this.panel?.dispose()));
  }

  /** Handles a message from the webview; one that does not match the protocol is dropped. */
  async receive(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw);
    if (!message) return;
    this.received.fire(message);
    switch (message.type) {
      case 'ready':
        this.ready = true;
        void this.post();
        return;
      case 'unreadable':
        // The page says so itself; the log is where a person looks for why.
        this.log.error(`${this.pageTitle}: the page could not read a "${message.what}" message from the extension`);
        return;
      default:
        return 'seq' in message ? this.carryOut(message) : this.handle(message);
    }
  }

  /**
   * Carries out a request and answers it once, with what failed if it did. One that
   * arrives while another is carried out is refused, not queued: the second click of
   * a double click must never run, and one queued would act on a page changed since.
   */
  private async carryOut(request: Request): Promise<void> {
    if (this.acting) {
      this.log.warn(`${this.pageTitle}: refused to ${DOING[request.type]}: ${BUSY}`);
      this.send({ type: 'reply', seq: request.seq, error: BUSY });
      return;
    }
    this.acting = true;
    try {
      await this.handle(request);
      this.send({ type: 'reply', seq: request.seq });
    } catch (error) {
      reportError(this.log, DOING[request.type], error);
      this.send({ type: 'reply', seq: request.seq, error: errorMessage(error) });
    } finally {
      this.acting = false;
    }
  }

  /** Handles a message of the page; a request's failure is thrown, for its reply. */
  protected abstract handle(message: PageMessage): Promise<void>;

  /** Builds and sends the snapshot asked for as `seq`, unless `overtaken(seq)`. */
  protected abstract postNow(seq: number): Promise<void>;

  /** Sends what the panel shows now, once its page is ready; settles once the last snapshot asked for is sent. */
  protected async post(): Promise<void> {
    if (!this.panel || !this.ready) return;
    this.posting = this.postNow(++this.posts);
    // A snapshot asked for meanwhile overtakes this one and is sent in its place: wait for that one.
    let awaited: Promise<void> | undefined;
    while (awaited !== this.posting) {
      awaited = this.posting;
      await awaited;
    }
  }

  /** Whether a later snapshot was asked for while `seq` was read. */
  protected overtaken(seq: number): boolean {
    return seq !== this.posts;
  }

  protected send(message: ToWebview): void {
    if (!this.panel) return;
    void this.panel.webview.postMessage(message);
    this.sent.fire(message);
  }

  /** A new panel of this view type, showing our page. */
  protected open(viewType: string, title: string, column: vscode.ViewColumn): void {
    this.attach(vscode.window.createWebviewPanel(viewType, title, column, webviewOptions(this.extensionUri)));
  }

  /** Takes over a panel VS Code brought back after a window reload. */
  protected adopt(panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attach(panel);
  }

  /** What to do at each change of `panel`'s view state (shown, hidden, moved); asked once, as it is attached. */
  protected viewStateListener(_panel: vscode.WebviewPanel): (() => void) | undefined {
    return undefined;
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'aiai.svg');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, this.pageTitle);
    const changed = this.viewStateListener(panel);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // VS Code tore the hidden webview down; it says `ready` again when shown.
        if (!panel.visible) this.ready = false;
        changed?.();
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subscriptions) s.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }
}
