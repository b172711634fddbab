import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Config } from '../core/config/config';
import { Git } from '../core/git/git';
import { Store } from '../core/record/store';
import type { CandidateRecord, RunRecord } from '../core/record/records';
import type { CandidateBrief } from '../core/record/summary';
import { listVersions, type Version } from '../core/review/versions';
import { LESSONS_FILE, readLessons } from '../core/record/lessons';
import { trendsOf } from '../core/review/trends';
import type { Trends } from '../shared/trends';
import type { Lessons } from '../protocol';
import { Disposable } from './disposable';
import { EMPTY_LISTING, listingOf, type Listing } from './listing';

/** How long a burst of file events is gathered into one refresh. */
const REFRESH_DELAY_MS = 150;

/**
 * The open workspace as the engine sees it: its config, records and versions, read
 * from disk on demand, and one event when any of them may have changed, by this
 * window, the CLI or another window alike.
 *
 * The views list from the candidates' summaries, never from the full records (about
 * 12 KB each; reading all 10,000 of a large store takes 1.6 s). A listing of that
 * store costs 60 to 75 ms (a stat of each record file, against the store's cache),
 * so it is made once per change, not once per view, status bar and panel that asks.
 * It is kept while each run's folder of records is as it was (the engine and the CLI
 * write every record by a rename into it: under 1 ms to check for 100 runs); a file
 * event or a refresh drops it, for a record edited in place.
 */
export class WorkspaceSession extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  /** One store per folder, so that its summary cache stays in memory between listings. */
  private store: Store | undefined;
  private listed: { listing: Listing; folders: string } | undefined;

  /** `loadConfig` reads and validates the workspace's config: the engine's, which holds the validator (about 100 KB of code, left out of activation). */
  constructor(private readonly loadConfig: (folder: string) => Config) {
    super();
    this.register(new vscode.Disposable(() => clearTimeout(this.timer)));
    const folder = this.folderUri();
    if (folder) {
      for (const glob of ['.aiai/**', '.git/HEAD', '.git/logs/HEAD', '.git/refs/heads/**']) {
        const watcher = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob)));
        watcher.onDidCreate(() => this.changedOnDisk());
        watcher.onDidChange(() => this.changedOnDisk());
        watcher.onDidDelete(() => this.changedOnDisk());
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

  /** The workspace's config; reading it loads the engine. */
  config(): Config {
    return this.loadConfig(this.requireFolder());
  }

  /** Every candidate's summary and every damaged record, by run: what the views, the status bar and the quick picks show. */
  listing(): Listing {
    const folder = this.folder();
    if (folder === undefined) return EMPTY_LISTING;
    const store = this.storeOf(folder);
    // Taken first: a record written while the summaries are read changes it for the next call.
    const folders = foldersStamp(store.runsDir);
    if (this.listed?.folders !== folders) this.listed = { listing: listingOf(store.briefs()), folders };
    return this.listed.listing;
  }

  /** The review queue: every candidate awaiting review, clean before flagged, oldest first, for every list that shows them. */
  pending(): CandidateBrief[] {
    return this.listing().pending;
  }

  /** A candidate's full record, by id or unique id prefix, as the CLI finds it; throws when none or several match, or it cannot be read. */
  candidate(idOrPrefix: string): CandidateRecord {
    return this.storeOf(this.requireFolder()).candidate(idOrPrefix);
  }

  /** The full records of these candidates that can be read, by id; only theirs are read. */
  some(ids: ReadonlySet<string>): Map<string, CandidateRecord> {
    return ids.size === 0 ? new Map() : this.storeOf(this.requireFolder()).some(ids);
  }

  /** The workspace's lessons (what earlier runs learned, and a person's own), when it has any. */
  /** One run's record, when it can be read. */
  run(runId: string): RunRecord | undefined {
    return this.storeOf(this.requireFolder()).run(runId);
  }

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

  /** The objective of each version over time, and each run's cost and evaluations. */
  async trends(): Promise<Trends> {
    const config = this.config();
    const store = this.storeOf(config.workspace);
    return trendsOf(config.objective.metric, await this.versions(), store.runs(), this.listing().candidates);
  }

  async git(): Promise<Git> {
    return Git.open(this.requireFolder());
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.fire();
  }

  /** Drops the listing at once (whoever reads next sees the change) and tells the views after a burst of events. */
  private changedOnDisk(): void {
    this.listed = undefined;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), REFRESH_DELAY_MS);
  }

  private fire(): void {
    this.listed = undefined;
    this.changed.fire();
  }

  private storeOf(folder: string): Store {
    if (this.store?.workspace === folder) return this.store;
    this.listed = undefined;
    this.store = new Store(folder);
    return this.store;
  }

  private folderUri(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }
}

/** Each run's folder of candidate records, as it is now: its name, inode and time. */
function foldersStamp(runsDir: string): string {
  let runs: string[];
  try {
    runs = readdirSync(runsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return ''; // no records yet
  }
  return runs
    .map((run) => {
      try {
        const s = statSync(path.join(runsDir, run, 'candidates'));
        return `${run}:${s.ino}:${s.mtimeMs}`;
      } catch {
        return run;
      }
    })
    .join(' ');
}
