import * as vscode from 'vscode';
import type { WorkspaceSession } from './workspaceSession';

export const GIT_CONTENT_SCHEME = 'aiai-git';

/** A read-only URI for a file as it is at a commit (empty when the file is absent there). */
export function gitContentUri(file: string, commit: string): vscode.Uri {
  return vscode.Uri.from({ scheme: GIT_CONTENT_SCHEME, path: `/${file}`, query: commit });
}

/**
 * Serves files at a commit to VS Code's diff editor, so a candidate's side is never
 * a file on disk that could be edited by mistake.
 */
export class GitContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly session: WorkspaceSession) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const git = await this.session.git();
    return (await git.readFile(uri.query, uri.path.slice(1))) ?? '';
  }
}
