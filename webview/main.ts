import 'diff2html/bundles/css/diff2html.min.css';
import '../media/review.css';
import { parseToWebview, type FromWebview, type ToWebview } from '../src/protocol';
import { h } from './dom';
import { emptyView, reviewView, type UiState } from './reviewView';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): UiState | undefined;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// Kept private to this module: nothing else may post to the extension.
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let state: UiState = vscode.getState() ?? {};

// The outcome of the last action stays on screen across re-renders until the next one.
let notice: { level: 'info' | 'error'; text: string } | undefined;

const context = {
  send: (message: FromWebview) => {
    notice = undefined;
    document.getElementById('notice')?.remove();
    vscode.postMessage(message);
  },
  get state() {
    return state;
  },
  saveState(next: UiState) {
    state = next;
    vscode.setState(state);
  },
};

function render(message: ToWebview): void {
  switch (message.type) {
    case 'review': {
      const scroll = state.id === message.snapshot.review.id ? window.scrollY : 0;
      app.replaceChildren(reviewView(message.snapshot, context));
      showNotice();
      window.scrollTo(0, scroll);
      return;
    }
    case 'empty':
      app.replaceChildren(emptyView(message.message));
      showNotice();
      return;
    case 'notice':
      notice = { level: message.level, text: message.message };
      showNotice();
  }
}

function showNotice(): void {
  document.getElementById('notice')?.remove();
  if (!notice) return;
  app.prepend(h('p', { id: 'notice', class: `notice notice-${notice.level}`, role: notice.level === 'error' ? 'alert' : 'status' }, notice.text));
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (message) render(message);
});
vscode.postMessage({ type: 'ready' });
