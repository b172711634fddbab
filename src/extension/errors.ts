import * as vscode from 'vscode';
import { ConfigError, errorMessage } from '../core/common/errors';

/**
 * The one way the extension reports a failure, whatever started the action (a
 * command, the loop, the review panel): written to the log, then shown. A config
 * error offers to open the file at the faulty line; any other offers the log. It
 * returns at once: the action that failed does not wait for the person to answer.
 */
export function reportError(log: vscode.LogOutputChannel, action: string, error: unknown): void {
  log.error(`${action}: ${errorMessage(error)}`);
  show(log, error).catch((failure: unknown) => log.error(`showing an error: ${errorMessage(failure)}`));
}

/** `run`, with any failure reported; for the entry points VS Code calls (commands). */
export function reporting<A extends unknown[]>(log: vscode.LogOutputChannel, action: string, run: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args);
    } catch (error) {
      reportError(log, action, error);
    }
  };
}

async function show(log: vscode.LogOutputChannel, error: unknown): Promise<void> {
  if (error instanceof ConfigError) return showConfigError(error);
  if ((await vscode.window.showErrorMessage(`AIAI: ${errorMessage(error)}`, 'Show Log')) === 'Show Log') log.show();
}

async function showConfigError(error: ConfigError): Promise<void> {
  const [first, ...others] = error.problems;
  const more = others.length > 0 ? ` (and ${others.length} more)` : '';
  const choice = await vscode.window.showErrorMessage(`AIAI: ${first?.message ?? error.message}${more}`, { detail: error.message }, ...(first ? ['Open Config'] : []));
  if (!first || choice !== 'Open Config') return;
  const position = new vscode.Position(first.line - 1, first.column - 1);
  await vscode.window.showTextDocument(vscode.Uri.file(first.file), { selection: new vscode.Range(position, position) });
}
