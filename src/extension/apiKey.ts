import * as vscode from 'vscode';

const SECRET = 'aiai.anthropicApiKey';

/** The Anthropic API key, kept in VS Code's SecretStorage: never in settings or logs. */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async prompt(): Promise<void> {
    const key = await vscode.window.showInputBox({
      title: 'AIAI: Anthropic API key',
      prompt: 'Stored in VS Code\'s secret storage; leave empty to remove it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    if (key.trim() === '') {
      await this.secrets.delete(SECRET);
      void vscode.window.showInformationMessage('AIAI: the API key was removed; the built-in parameter search will propose.');
    } else {
      await this.secrets.store(SECRET, key.trim());
      void vscode.window.showInformationMessage('AIAI: the API key is stored.');
    }
  }

  /** The environment a loop sees: the stored key, when there is one. */
  async env(): Promise<Record<string, string>> {
    const key = await this.secrets.get(SECRET);
    return key ? { ANTHROPIC_API_KEY: key } : {};
  }
}
