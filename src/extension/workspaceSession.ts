import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadConfig, type Config } from '../core/config/config';
import { Git } from '../core/git/git';
import { Store } from '../core/record/store';
import type { CandidateRecord } from '../core/record/records';
import { listVersions, type Version } from '../core/deploy/versions';
import { LESSONS_FILE, readLessons } from '../core/record/lessons';
import type { Lessons } from '../protocol';
import { Disposable } from './disposable';

/** How long a burst of file events is gathered into one refresh. */
const REFRESH_DELAY_MS = 150;

/**
 * The open workspace as the engine sees it: its config, records and versions, read
 * fresh from disk on demand, and one event when any of them may have changed, by
 * this window, the CLI or another window alike.
 */
export class WorkspaceSession extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    super();
    this.register(new vscode.Disposable(() => clearTimeout(this.timer)));
    const folder = this.folderUri();
    if (folder) {
      for (const glob of ['.aiai/**', '.git/HEAD', '.git/logs/HEAD', '.git/refs/heads/**']) {
        const watcher = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob)));
        watcher.onDidCreate(() => this.refreshSoon());
        watcher.onDidChange(() => this.refreshSoon());
        watcher.onDidDelete(() => this.refreshSoon());
      }
    }
  }

  /** The workspace folder aiai works on: the first one. */
  folder(): string | undefined {
    return this.folderUri()?.fsPath;
  }

  requireFolder(): string {
    const folder = this.folder();
    if (!folder) throw new Error('open the folder of your agent first');
    return folder;
  }

  config(): Config {
    return loadConfig(this.requireFolder());
  }

  /** All candidates of all runs, oldest first. */
  candidates(): CandidateRecord[] {
    const folder = this.folder();
    return folder ? new Store(folder).candidates() : [];
  }

  /** A candidate by id or unique id prefix, as the CLI finds it; throws when none or several match. */
  candidate(idOrPrefix: string): CandidateRecord {
    return new Store(this.requireFolder()).candidate(idOrPrefix);
  }

  /** The review queue: every candidate awaiting review, oldest first, for every list that shows them. */
  pending(): CandidateRecord[] {
    return this.candidates().filter((c) => c.status === 'pending');
  }

  /** The workspace's lessons (what earlier runs learned, and a person's own), when it has any. */
  lessons(): Lessons | undefined {
    const folder = this.folder();
    const text = folder === undefined ? undefined : readLessons(folder);
    return text === undefined ? undefined : { file: LESSONS_FILE, text };
  }

  /** The file a person edits the lessons in. */
  lessonsUri(): vscode.Uri {
    return vscode.Uri.file(path.join(this.requireFolder(), LESSONS_FILE));
  }

  async versions(): Promise<Version[]> {
    const config = this.config();
    const git = await Git.open(config.workspace);
    return listVersions(git, new Store(git.root), config);
  }

  async git(): Promise<Git> {
    return Git.open(this.requireFolder());
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.changed.fire();
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(), REFRESH_DELAY_MS);
  }

  private folderUri(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }
}
