import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { initWorkspace } from '../core/init';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('aiai.init', initializeWorkspace));
}

export function deactivate(): void {}

async function initializeWorkspace(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('AIAI: open the folder of your agent first.');
    return;
  }
  try {
    const result = initWorkspace(folder.uri.fsPath);
    await vscode.window.showTextDocument(vscode.Uri.file(result.configFile));
  } catch (error) {
    void vscode.window.showErrorMessage(`AIAI: ${errorMessage(error)}`);
  }
}
