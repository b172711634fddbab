import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readJson, writeJsonAtomic } from '../common/files';
import type { CandidateRecord } from './records';
import { summarize, type CandidateSummary } from './summary';

/** A file or folder as it was when cached, [inode, size, time]: a write (a rename into the folder) changes them. */
type Stamp = [number, number, number];

/** What the cache keeps of a summary: all but the run id, which the run's key gives. */
type Cached = Omit<CandidateSummary, 'runId'>;

interface FileEntry {
  stamp: Stamp;
  /** null: the record could not be read. */
  summary: Cached | null;
}

interface RunEntry {
  stamp: Stamp;
  files: Record<string, FileEntry>;
}

/** Bump when the shape of a summary changes: an older cache is then read anew. */
const VERSION = 4;

/**
 * Summaries of the candidate records, cached in one file beside them. A record is
 * read again only when its file changed (inode, size or time); a run's folder is
 * listed again only when it changed (every record is written by a rename into it).
 * A run of the loop (`trustChecked`) trusts a run it checked once while its folder
 * is unchanged: a record edited in place during a run is seen by the next command.
 * The records stay the truth: the cache may be deleted, or be stale after a crash,
 * and is rebuilt from them.
 */
export class SummaryCache {
  private runs: Record<string, RunEntry> | undefined;
  private changed = false;
  /** Runs whose every file this process has checked: while their folder is unchanged, their files are not looked at again. */
  private readonly checked = new Set<string>();
  private saved = false;

  /** `trustChecked`: for a run of the loop, which reads the summaries once per proposal. */
  constructor(
    private readonly runsDir: string,
    private readonly trustChecked = false,
  ) {}

  private get file(): string {
    return path.join(this.runsDir, 'summaries.json');
  }

  /** The summaries of one run's records, by file name; null for a record that cannot be read. */
  run(runId: string, read: (file: string) => CandidateRecord | undefined): Record<string, CandidateSummary | null> {
    this.runs ??= this.load();
    const dir = path.join(this.runsDir, runId, 'candidates');
    const dirStamp = stampOf(dir);
    const known = this.runs[runId];
    if (!dirStamp) {
      if (known) this.forget(runId);
      return {};
    }
    // An unchanged folder holds the same files, but one may have been changed in place (truncated, edited): each is looked at.
    const unchanged = known !== undefined && same(known.stamp, dirStamp);
    if (unchanged && this.trustChecked && this.checked.has(runId)) return withRun(known.files, runId);
    const names = unchanged ? Object.keys(known.files) : readdirSync(dir).filter((f) => f.endsWith('.json'));
    const files: Record<string, FileEntry> = {};
    let reread = !unchanged;
    for (const name of names) {
      const stamp = stampOf(path.join(dir, name));
      if (!stamp) continue;
      const before = known?.files[name];
      if (before && same(before.stamp, stamp)) {
        files[name] = before;
        continue;
      }
      files[name] = { stamp, summary: cachedOf(read(path.join(runId, 'candidates', name))) };
      reread = true;
    }
    if (reread) {
      this.runs[runId] = { stamp: dirStamp, files };
      this.changed = true;
    }
    this.checked.add(runId);
    return withRun(files, runId);
  }

  /**
   * Writes the cache when something was read anew, keeping only the runs that still
   * exist. A run of the loop writes it once, at its first listing: rewriting it for
   * each of its own candidates would cost a write of the whole store every proposal.
   */
  save(runIds: readonly string[]): void {
    if (!this.runs || (this.trustChecked && this.saved)) return;
    for (const runId of Object.keys(this.runs)) if (!runIds.includes(runId)) this.forget(runId);
    if (!this.changed || !existsSync(this.runsDir)) return;
    writeJsonAtomic(this.file, { version: VERSION, runs: this.runs }, 0);
    this.changed = false;
    this.saved = true;
  }

  private forget(runId: string): void {
    if (this.runs) delete this.runs[runId];
    this.changed = true;
  }

  private load(): Record<string, RunEntry> {
    const cached = readJson<{ version?: number; runs?: Record<string, RunEntry> }>(this.file);
    return cached?.version === VERSION && typeof cached.runs === 'object' && cached.runs !== null ? cached.runs : {};
  }
}

function withRun(files: Record<string, FileEntry>, runId: string): Record<string, CandidateSummary | null> {
  const summaries: Record<string, CandidateSummary | null> = {};
  for (const [name, entry] of Object.entries(files)) summaries[name] = entry.summary && { ...entry.summary, runId };
  return summaries;
}

function cachedOf(record: CandidateRecord | undefined): Cached | null {
  if (!record) return null;
  const { runId: _, ...cached } = summarize(record);
  return cached;
}

function stampOf(file: string): Stamp | undefined {
  try {
    const s = statSync(file);
    return [s.ino, s.size, s.mtimeMs];
  } catch {
    return undefined;
  }
}

function same(a: Stamp, b: Stamp): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
