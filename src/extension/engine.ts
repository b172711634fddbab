import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKey';
import { Coauthor } from './coauthor';
import { commandHandlers, type CommandHandlers } from './commands';
import { ComparePanel } from './comparePanel';
import { Decisions } from './decisions';
import { LoopRunner } from './loopRunner';
import { ReviewPanel } from './reviewPanel';
import type { WorkspaceSession } from './workspaceSession';

export { loadConfig } from '../core/config/config';

/** The services of the engine: what the commands, the review and compare panels and the loop run on. */
export interface Engine {
  loop: LoopRunner;
  panel: ReviewPanel;
  compare: ComparePanel;
  commands: CommandHandlers;
}

/**
 * Makes the engine's services over what activation made (extension.ts); they are
 * disposed with the extension. Called once, at the engine's first use.
 */
export function startEngine(context: vscode.ExtensionContext, session: WorkspaceSession, log: vscode.LogOutputChannel): Engine {
  const decisions = new Decisions(session, log);
  const apiKey = new ApiKeyStore(context.secrets);
  // Through the command, so that a failure to open is reported like any other.
  const loop = new LoopRunner(session, log, apiKey, (id) => void vscode.commands.executeCommand('aiai.openReview', id));
  const coauthor = new Coauthor(session, loop, decisions, context.workspaceState, log);
  const panel = new ReviewPanel(context.extensionUri, session, decisions, coauthor, log, context.workspaceState);
  const compare = new ComparePanel(context.extensionUri, session, log);
  context.subscriptions.push(panel, compare, loop);
  return { loop, panel, compare, commands: commandHandlers({ session, loop, panel, compare, decisions, coauthor, apiKey, log }) };
}
