import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKey';
import { CandidatesView } from './candidatesView';
import { Coauthor } from './coauthor';
import { registerCommands } from './commands';
import { COMPARE_VIEW_TYPE, ComparePanel } from './comparePanel';
import { Decisions } from './decisions';
import { GIT_CONTENT_SCHEME, GitContentProvider } from './gitContent';
import { LoopRunner } from './loopRunner';
import { REVIEW_VIEW_TYPE, ReviewPanel } from './reviewPanel';
import { StatusBar } from './statusBar';
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
 * Wires the services over the engine; all real work happens on a command or view,
 * except the status bar's count, read just after this returns. VS Code calls it when a
 * window opens on a workspace with .aiai/config.json, so that count is kept cheap.
 */
export function activate(context: vscode.ExtensionContext): AiaiApi {
  const log = vscode.window.createOutputChannel('AIAI', { log: true });
  const session = new WorkspaceSession();
  const decisions = new Decisions(session, log);
  const apiKey = new ApiKeyStore(context.secrets);
  // Through the command, so that a failure to open is reported like any other.
  const loop = new LoopRunner(session, log, apiKey, (id) => void vscode.commands.executeCommand('aiai.openReview', id));
  const coauthor = new Coauthor(session, loop, decisions, context.workspaceState, log);
  const panel = new ReviewPanel(context.extensionUri, session, decisions, coauthor, log, context.workspaceState);
  const compare = new ComparePanel(context.extensionUri, session, log);
  const candidates = new CandidatesView(session);
  const versions = new VersionsView(session, log);
  const status = new StatusBar(session, loop);

  context.subscriptions.push(
    log,
    session,
    panel,
    compare,
    loop,
    status,
    candidates,
    versions,
    vscode.window.registerTreeDataProvider('aiai.candidates', candidates),
    vscode.window.registerTreeDataProvider('aiai.versions', versions),
    vscode.window.registerWebviewPanelSerializer(REVIEW_VIEW_TYPE, panel.serializer()),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, compare.serializer()),
    vscode.workspace.registerTextDocumentContentProvider(GIT_CONTENT_SCHEME, new GitContentProvider(session)),
    ...registerCommands({ session, loop, panel, compare, decisions, coauthor, apiKey, log }),
  );
  void vscode.commands.executeCommand('setContext', 'aiai.running', false);
  return { candidates, versions, review: panel, compare, status };
}

export function deactivate(): void {}
