import * as vscode from 'vscode';
import { errorMessage } from '../core/common/errors';
import { Store } from '../core/record/store';
import { compare, comparedCases } from '../core/review/compare';
import { CASES_PAGE, type ComparePageReply, type ToWebview } from '../protocol';
import { assertNever } from '../shared/assertNever';
import { pairKey, type CompareRef, type Comparison } from '../shared/compare';
import { object, readOrUndefined } from '../shared/read';
import { compareRef } from '../shared/readEvidence';
import { openComparisonDiff } from './compare';
import { PagePanel, type PageMessage } from './pagePanel';
import type { WorkspaceSession } from './workspaceSession';

export const COMPARE_VIEW_TYPE = 'aiai.compare';

/**
 * Compare with…: two candidates, or a candidate and a version, in a panel of their
 * own. A tab of its own rather than a mode of the review: the person keeps the
 * candidate under review (its queue, its decisions) beside what they compare, and a
 * change on disk that redraws the review never throws the comparison away. It reuses
 * the review's page and protocol (PagePanel), and answers a page of cases asked for.
 */
export class ComparePanel extends PagePanel {
  private pair: { a: CompareRef; b: CompareRef } | undefined;
  /** The comparison sent last, for the diff editor it opens. */
  private last: Comparison | undefined;
  /** The comparison `show` just read, sent as it is rather than read again. */
  private fresh: Comparison | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly session: WorkspaceSession,
    log: vscode.LogOutputChannel,
  ) {
    super(extensionUri, 'AIAI Compare', log);
    this.register(session.onDidChange(() => void this.post()));
  }

  /**
   * Opens (or reveals) the panel on A and B, beside the active editor (the review,
   * when Compare with… is clicked there). What cannot be compared throws before any
   * panel opens, for the command to report.
   */
  async show(a: CompareRef, b: CompareRef): Promise<void> {
    const comparison = await this.compare(a, b);
    this.fresh = comparison;
    this.pair = { a, b };
    if (this.panel) {
      this.panel.title = titleOf(comparison);
      this.panel.reveal(this.panel.viewColumn);
      void this.post();
      return;
    }
    this.open(COMPARE_VIEW_TYPE, titleOf(comparison), vscode.ViewColumn.Beside);
  }

  /**
   * The serializer VS Code calls to bring the panel back after a window reload, on the
   * pair its page kept; a page that kept none (or a malformed one) says so.
   */
  serializer(): vscode.WebviewPanelSerializer<unknown> {
    return {
      deserializeWebviewPanel: async (panel, state) => {
        // A comparison opened since the window came back is the one the person wants.
        if (this.panel) return panel.dispose();
        this.pair = keptPair(state);
        this.adopt(panel);
      },
    };
  }

  protected async handle(message: PageMessage): Promise<void> {
    switch (message.type) {
      case 'comparePage':
        this.send(await this.page(message.a, message.b, message.query));
        return;
      case 'openCompareDiff': {
        const same = this.last && pairKey(this.last.a.ref, this.last.b.ref) === pairKey(message.a, message.b);
        await openComparisonDiff(this.session, same && this.last ? this.last : await this.compare(message.a, message.b));
        return;
      }
      case 'navigate':
        await vscode.commands.executeCommand('aiai.openReview', message.id);
        return;
      case 'approve':
      case 'reject':
      case 'openDiff':
      case 'openLessons':
      case 'casePage':
      case 'compareWith':
      case 'editInWorkspace':
      case 'evaluateSelection':
        return; // the review's own: a comparison offers none of them
      default:
        assertNever(message);
    }
  }

  private async compare(a: CompareRef, b: CompareRef): Promise<Comparison> {
    const git = await this.session.git();
    return compare(git, new Store(this.session.requireFolder()), this.session.config(), a, b, { limit: CASES_PAGE });
  }

  private async page(a: CompareRef, b: CompareRef, query: ComparePageReply['query']): Promise<ComparePageReply> {
    try {
      const git = await this.session.git();
      const page = await comparedCases(git, new Store(this.session.requireFolder()), this.session.config(), a, b, query);
      return { type: 'comparePage', a, b, query, page };
    } catch (error) {
      return { type: 'comparePage', a, b, query, error: errorMessage(error) };
    }
  }

  /** Sends the comparison of the pair shown; one overtaken by a later one while it is read is not sent. */
  protected async postNow(seq: number): Promise<void> {
    let message: ToWebview;
    try {
      if (!this.pair) throw new Error('the panel kept no pair to compare; choose Compare with… again');
      const { fresh } = this;
      this.fresh = undefined;
      const comparison = fresh && pairKey(fresh.a.ref, fresh.b.ref) === pairKey(this.pair.a, this.pair.b) ? fresh : await this.compare(this.pair.a, this.pair.b);
      message = { type: 'compare', comparison };
      this.last = comparison;
    } catch (error) {
      // Shown here rather than reported: this runs on every change (a candidate compared may be gone since).
      message = { type: 'compareFailed', message: `The comparison cannot be shown: ${errorMessage(error)}` };
    }
    if (this.overtaken(seq) || !this.panel) return;
    if (message.type === 'compare') this.panel.title = titleOf(message.comparison);
    this.send(message);
  }
}

/** The pair a compare page kept in its state (`compare.a` and `compare.b`), if it kept a well-formed one. */
function keptPair(state: unknown): { a: CompareRef; b: CompareRef } | undefined {
  type Pair = { a: CompareRef; b: CompareRef };
  return readOrUndefined(object<{ compare: Pair }>({ compare: object<Pair>({ a: compareRef, b: compareRef }) }), state)?.compare;
}

function titleOf(c: Comparison): string {
  return `AIAI Compare: ${c.a.name} ↔ ${c.b.name}`;
}
