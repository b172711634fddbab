import * as vscode from 'vscode';
import { ConfigError } from '../core/common/errors';

/** Shows a config error with a button that opens the file at the faulty line; false if it was not one. */
export async function showConfigError(error: unknown): Promise<boolean> {
  if (!(error instanceof ConfigError)) return false;
  const first = error.problems[0]!;
  const more = error.problems.length > 1 ? ` (and ${error.problems.length - 1} more)` : '';
  const choice = await vscode.window.showErrorMessage(`AIAI: ${first.message}${more}`, { detail: error.message }, 'Open Config');
  if (choice) {
    const position = new vscode.Position(first.line - 1, first.column - 1);
    await vscode.window.showTextDocument(vscode.Uri.file(first.file), { selection: new vscode.Range(position, position) });
  }
  return true;
}
