import * as vscode from 'vscode';
import { CandidatesView } from './candidatesView';
import { COMMANDS } from './commandIds';
import { COMPARE_VIEW_TYPE, type ComparePanel } from './comparePanel';
import type { Engine } from './engine';
import { engine } from './engineLoader';
import { reporting } from './errors';
import { GIT_CONTENT_SCHEME, GitContentProvider } from './gitContent';
import type { LoopRunner, LoopState } from './loopRunner';
import { REVIEW_VIEW_TYPE, type ReviewPanel } from './reviewPanel';
import { StatusBar, type LoopStatus } from './statusBar';
import { VersionsView } from './versionsView';
import { WorkspaceSession } from './workspaceSession';

/** What the extension offers other extensions and its integration tests. */
export interface AiaiApi {
  candidates: CandidatesView;
  versions: VersionsView;
  review: ReviewPanel;
  compare: ComparePanel;
  status: StatusBar;
}

/**
 * Registers the commands, views, panel serializers and the status bar over the
 * workspace's records. VS Code calls it when a window opens on a workspace with
 * .aiai/config.json, so it stays cheap: this bundle holds the views and the store's
 * reading only; the engine (the loop, grading, the model proposers, decisions, the
 * review panel's host side) is dist/extension-engine.js, loaded at its first use (a
 * command, a panel, the config; see engineLoader.ts). The status bar's count is read
 * just after this returns.
 */
export function activate(context: vscode.ExtensionContext): AiaiApi {
  const log = vscode.window.createOutputChannel('AIAI', { log: true });
  const session = new WorkspaceSession((folder) => engine().loadConfig(folder));
  const candidates = new CandidatesView(session);
  const versions = new VersionsView(session, log);
  const loop = new LoopFollower();
  const status = new StatusBar(session, loop);
  let started: Engine | undefined;
  const services = (): Engine => {
    if (!started) {
      started = engine().startEngine(context, session, log);
      context.subscriptions.push(loop.follow(started.loop));
    }
    return started;
  };

  context.subscriptions.push(
    log,
    session,
    loop,
    status,
    candidates,
    versions,
    vscode.window.registerTreeDataProvider('aiai.candidates', candidates),
    vscode.window.registerTreeDataProvider('aiai.versions', versions),
    vscode.window.registerWebviewPanelSerializer(REVIEW_VIEW_TYPE, restoring(() => services().panel.serializer())),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, restoring(() => services().compare.serializer())),
    vscode.workspace.registerTextDocumentContentProvider(GIT_CONTENT_SCHEME, new GitContentProvider(session)),
    ...COMMANDS.map((id) => vscode.commands.registerCommand(id, reporting(log, id, (...args: never[]) => services().commands[id](...args)))),
  );
  void vscode.commands.executeCommand('setContext', 'aiai.running', false);
  return {
    candidates,
    versions,
    status,
    get review() {
      return services().panel;
    },
    get compare() {
      return services().compare;
    },
  };
}

export function deactivate(): void {}

/** A panel's serializer, got when VS Code restores the panel (after a window reload), not before. */
function restoring<T>(serializer: () => vscode.WebviewPanelSerializer<T>): vscode.WebviewPanelSerializer<T> {
  return { deserializeWebviewPanel: (panel, state) => serializer().deserializeWebviewPanel(panel, state) };
}

/** The loop's state for the status bar: idle until the engine is loaded (no loop runs before), then its LoopRunner's. */
class LoopFollower implements LoopStatus {
  private readonly changed = new vscode.EventEmitter<LoopState>();
  readonly onDidChangeState = this.changed.event;
  private loop: LoopRunner | undefined;

  get state(): LoopState {
    return this.loop?.state ?? { running: false };
  }

  follow(loop: LoopRunner): vscode.Disposable {
    this.loop = loop;
    return loop.onDidChangeState((state) => this.changed.fire(state));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
