import 'diff2html/bundles/css/diff2html.min.css';
import '../media/review.css';
import { parseToWebview, type FromWebview, type Outcome, type ToWebview } from '../src/protocol';
import { assertNever } from '../src/shared/assertNever';
import { isRecord } from '../src/shared/read';
import { h } from './dom';
import { receiveCasePage } from './casesView';
import { compareFailedView, receiveComparePage, renderCompare } from './compareView';
import { Requests } from './requests';
import { emptyView, reviewView, type UiState, type ViewContext } from './reviewView';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): UiState | undefined;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// Kept private to this module: nothing else may post to the extension.
const vscode = acquireVsCodeApi();
const app = document.getElementById('app');
if (!app) throw new Error('the review panel page has no #app element');
let state: UiState = vscode.getState() ?? {};
const requests = new Requests(app, (request) => vscode.postMessage(request));
// The last outcome is answered by the person's next action; the next snapshot brings its own.
const answerOutcome = (): void => document.getElementById('notice')?.remove();

const context: ViewContext = {
  act: (intent, button) => {
    if (requests.send(intent, button)) answerOutcome();
  },
  send: (message) => {
    answerOutcome();
    vscode.postMessage(message);
  },
  ask: (message: FromWebview) => vscode.postMessage(message),
  get state() {
    return state;
  },
  saveState(next: UiState) {
    state = next;
    vscode.setState(state);
  },
};

function render(root: HTMLElement, message: ToWebview): void {
  switch (message.type) {
    case 'review': {
      const scroll = state.id === message.snapshot.review.id ? window.scrollY : 0;
      root.replaceChildren(reviewView(message.snapshot, context));
      showUnread(root, message.snapshot.unread);
      showOutcome(root, message.snapshot.outcome);
      window.scrollTo(0, scroll);
      return;
    }
    case 'empty':
      root.replaceChildren(emptyView(message.message, message.trends));
      showUnread(root, message.unread);
      showOutcome(root, message.outcome);
      return;
    case 'casePage':
      receiveCasePage(message);
      return;
    case 'compare':
      renderCompare(root, message.comparison, context);
      return;
    case 'compareFailed':
      root.replaceChildren(compareFailedView(message.message));
      return;
    case 'comparePage':
      receiveComparePage(message);
      return;
    case 'reply':
      // A failure is shown where an outcome is: one the snapshot already showed is replaced by the same words.
      if (requests.answered(message) && message.error !== undefined) {
        answerOutcome();
        showOutcome(root, { level: 'error', message: message.error });
      }
      return;
    default:
      assertNever(message);
  }
}

/** What came of the person's last action, beside the buttons (above everything when there are none) until their next one. */
function showOutcome(root: HTMLElement, outcome: Outcome | undefined): void {
  if (!outcome) return;
  const notice = h('p', { id: 'notice', class: `notice notice-${outcome.level}`, role: outcome.level === 'error' ? 'alert' : 'status' }, outcome.message);
  const actions = root.querySelector('.actions');
  if (actions) actions.append(notice);
  else root.prepend(notice);
}

/** What the extension could not read for the panel, above everything: the panel shows the rest. */
function showUnread(root: HTMLElement, unread: string[] | undefined): void {
  root.prepend(...(unread ?? []).map((what) => h('p', { class: 'notice notice-error', role: 'alert' }, what)));
}

/**
 * A message that does not match the protocol is not drawn: the panel keeps what it
 * showed, says that it missed an update, and tells the extension, which logs it.
 */
function unreadable(root: HTMLElement, data: unknown): void {
  const what = isRecord(data) && typeof data.type === 'string' ? data.type : 'untyped';
  vscode.postMessage({ type: 'unreadable', what });
  root.querySelector('.unreadable')?.remove();
  root.prepend(h('p', { class: 'notice notice-error unreadable', role: 'alert' }, `An update from the extension (“${what}”) could not be read: the panel still shows what it showed before (see the AIAI log).`));
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (message) {
    render(app, message);
    requests.showBusy();
  } else unreadable(app, event.data);
});
vscode.postMessage({ type: 'ready' });
