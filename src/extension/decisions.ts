import * as vscode from 'vscode';
import { approve } from '../core/deploy/approve';
import { reject } from '../core/deploy/reject';
import { rollback } from '../core/deploy/rollback';
import { runtimeError } from '../core/common/errors';
import { pathPolicy } from '../core/config/pathPolicy';
import type { Version } from '../core/review/versions';
import type { QuickReason } from '../shared/review';
import { gitContentUri } from './gitContent';
import type { WorkspaceSession } from './workspaceSession';

/**
 * A person's decisions, from the palette, the views or the review panel: approve,
 * reject, roll back; and the diffs they look at first. Each returns what it did.
 */
export class Decisions {
  /** Who acts from VS Code, told of interrupted deploys completed first. */
  readonly actor = {
    by: 'person via vscode',
    onNotice: (message: string) => {
      this.log.warn(message);
      void vscode.window.showWarningMessage(`AIAI: ${message}`);
    },
  };

  constructor(
    private readonly session: WorkspaceSession,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async approve(id: string, contentHash?: string): Promise<string> {
    const folder = this.trustedFolder('approve');
    const { candidate, commit, superseded } = await approve(folder, id, { ...this.actor, ...(contentHash ? { contentHash } : {}) });
    const message = `Approved ${candidate.id}: committed ${commit.slice(0, 8)} “aiai: ${candidate.title}”${superseded.length > 0 ? `; ${superseded.length} pending candidate(s) superseded` : ''}`;
    this.log.info(message);
    this.session.refresh();
    return message;
  }

  /** `because`: a quick reason (overfits, too risky, …), kept apart from the words and read by the model proposer. */
  async reject(id: string, reason: string, because?: QuickReason): Promise<string> {
    const folder = this.trustedFolder('reject');
    const rejected = await reject(folder, id, { ...this.actor, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(because ? { because } : {}) });
    const message = `Rejected ${rejected.id}${rejected.reason ? `: ${rejected.reason}` : ''}`;
    this.log.info(message);
    this.session.refresh();
    return message;
  }

  /** Asks for confirmation in a modal dialog, then rolls back; undefined when the person declined. */
  async rollback(version: Version): Promise<string | undefined> {
    const folder = this.trustedFolder('roll back');
    const editable = this.session.config().editable.join(', ');
    const choice = await vscode.window.showWarningMessage(
      `Roll back to ${version.version}?`,
      { modal: true, detail: `The editable files (${editable}) are restored as they were at ${version.version} (${version.commit.slice(0, 8)}, “${version.title}”), in a new commit. History is kept.` },
      'Roll Back',
    );
    if (choice !== 'Roll Back') return undefined;
    const result = await rollback(folder, version.commit, this.actor);
    const message = result.commit
      ? `Rolled back to ${result.target.version}: committed ${result.commit.slice(0, 8)}`
      : `Nothing to roll back: the editable files already match ${result.target.version}`;
    this.log.info(message);
    this.session.refresh();
    return message;
  }

  /** The candidate's change, base against candidate, in VS Code's native diff editor. */
  async openDiff(id: string): Promise<void> {
    const folder = this.session.requireFolder();
    const candidate = this.session.candidate(id);
    const { commit } = candidate;
    if (!commit) throw runtimeError(`candidate ${candidate.id} has no commit to compare`);
    await vscode.commands.executeCommand(
      'vscode.changes',
      `AIAI candidate ${candidate.id}: ${candidate.title}`,
      candidate.changedPaths.map((file) => [vscode.Uri.file(`${folder}/${file}`), gitContentUri(file, candidate.base), gitContentUri(file, commit)]),
    );
  }

  /** A version's editable files against the files in the workspace now. */
  async compareWithCurrent(version: Version): Promise<void> {
    const folder = this.session.requireFolder();
    const policy = pathPolicy(this.session.config());
    const git = await this.session.git();
    const changed = new Set([...(await git.changedPaths(version.commit, 'HEAD')), ...(await git.dirtyPaths())].filter((p) => policy.isEditable(p)));
    if (changed.size === 0) {
      void vscode.window.showInformationMessage(`AIAI: the editable files are the same at ${version.version} and now.`);
      return;
    }
    await vscode.commands.executeCommand(
      'vscode.changes',
      `AIAI ${version.version} ↔ current`,
      [...changed].sort().map((file) => {
        const current = vscode.Uri.file(`${folder}/${file}`);
        return [current, gitContentUri(file, version.commit), current];
      }),
    );
  }

  /** The workspace folder, for an action that writes records, the branch or the working tree: refused unless the workspace is trusted. */
  trustedFolder(action: string): string {
    if (!vscode.workspace.isTrusted) throw runtimeError(`this workspace is not trusted, so aiai will not ${action} here`);
    return this.session.requireFolder();
  }
}
