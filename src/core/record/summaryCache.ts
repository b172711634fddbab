import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readJson, writeJsonAtomic } from '../common/files';
import type { CandidateRecord } from './records';
import { splitSummary, summarize, type CandidateBrief, type CandidateDetail, type CandidateSummary } from './summary';

/** A file or folder as it was when cached, [inode, size, time]: a write (a rename into the folder) changes them. */
type Stamp = [number, number, number];

interface FileEntry {
  stamp: Stamp;
  /** null: the record could not be read. */
  brief: CandidateBrief | null;
}

interface RunEntry {
  stamp: Stamp;
  files: Record<string, FileEntry>;
}

/** The details, by run and file, each with the stamp of the record it was taken from. */
type Details = Record<string, Record<string, [Stamp, CandidateDetail]>>;

/** Bump when the shape of a brief or a detail changes: an older cache is then read anew. */
const VERSION = 8;

/**
 * Summaries of the candidate records, cached beside them in two files: the briefs a
 * listing needs (`summaries.json`), and the details only the loop needs
 * (`summary-details.json`), so `aiai list` parses half as much. A record is read
 * again only when its file changed (inode, size or time); a run's folder is listed
 * again only when it changed (every record is written by a rename into it). A run of
 * the loop (`trustChecked`) trusts a run it checked once while its folder is
 * unchanged: a record edited in place during a run is seen by the next command.
 * The records stay the truth: the cache may be deleted, or be stale after a crash,
 * and is rebuilt from them.
 */
export class SummaryCache {
  private runs: Record<string, RunEntry> | undefined;
  private details: Details | undefined;
  /** Details of records read anew while the details file was not loaded: merged into it on save. */
  private readonly fresh: Details = {};
  private changed = false;
  private detailsChanged = false;
  /** Runs whose every file this process has checked: while their folder is unchanged, their files are not looked at again. */
  private readonly checked = new Set<string>();
  private saved = false;
  /** The merged summaries of a run, kept while its entries are the same object (a run of the loop asks once per proposal). */
  private readonly merged = new Map<string, { files: Record<string, FileEntry>; summaries: Record<string, CandidateSummary | null> }>();

  /** `trustChecked`: for a run of the loop, which reads the summaries once per proposal. */
  constructor(
    private readonly runsDir: string,
    private readonly trustChecked = false,
  ) {}

  /** The briefs of one run's records, by file name; null for a record that cannot be read. */
  briefs(runId: string, read: (file: string) => CandidateRecord | undefined): Record<string, CandidateBrief | null> {
    const briefs: Record<string, CandidateBrief | null> = {};
    const files = this.files(runId, read);
    for (const name in files) briefs[name] = files[name]?.brief ?? null;
    return briefs;
  }

  /** The whole summaries of one run's records, by file name; a detail the cache lacks is read from its record. */
  summaries(runId: string, read: (file: string) => CandidateRecord | undefined): Record<string, CandidateSummary | null> {
    const files = this.files(runId, read);
    const memo = this.merged.get(runId);
    if (memo?.files === files) return memo.summaries;
    this.details ??= this.loadDetails();
    const details = (this.details[runId] ??= {});
    const summaries: Record<string, CandidateSummary | null> = {};
    for (const [name, entry] of Object.entries(files)) {
      const cached = this.fresh[runId]?.[name] ?? details[name];
      if (!entry.brief) summaries[name] = null;
      else if (cached && same(cached[0], entry.stamp)) summaries[name] = { ...entry.brief, ...cached[1] };
      else {
        const record = read(path.join(runId, 'candidates', name));
        if (!record) {
          summaries[name] = null;
          continue;
        }
        const { brief, detail } = splitSummary(summarize(record));
        entry.brief = brief;
        details[name] = [entry.stamp, detail];
        summaries[name] = { ...brief, ...detail };
        this.changed = true;
        this.detailsChanged = true;
      }
    }
    this.merged.set(runId, { files, summaries });
    return summaries;
  }

  /**
   * Writes the cache when something was read anew, keeping only the runs that still
   * exist. A run of the loop writes it once, at its first listing: rewriting it for
   * each of its own candidates would cost a write of the whole store every proposal.
   */
  save(runIds: readonly string[]): void {
    if (!this.runs || (this.trustChecked && this.saved)) return;
    for (const runId of Object.keys(this.runs)) if (!runIds.includes(runId)) this.forget(runId);
    if (!existsSync(this.runsDir)) return;
    if (this.changed) writeJsonAtomic(path.join(this.runsDir, 'summaries.json'), { version: VERSION, runs: this.runs }, 0);
    if (this.detailsChanged || Object.keys(this.fresh).length > 0) {
      const details = (this.details ??= this.loadDetails());
      for (const [runId, fresh] of Object.entries(this.fresh)) Object.assign((details[runId] ??= {}), fresh);
      for (const runId of Object.keys(details)) if (!runIds.includes(runId)) delete details[runId];
      writeJsonAtomic(path.join(this.runsDir, 'summary-details.json'), { version: VERSION, runs: details }, 0);
    }
    this.changed = false;
    this.detailsChanged = false;
    for (const runId of Object.keys(this.fresh)) delete this.fresh[runId];
    this.saved = true;
  }

  /** One run's file entries, each record read anew only when its file changed. */
  private files(runId: string, read: (file: string) => CandidateRecord | undefined): Record<string, FileEntry> {
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
    if (unchanged && this.trustChecked && this.checked.has(runId)) return known.files;
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
      const record = read(path.join(runId, 'candidates', name));
      if (record) {
        const { brief, detail } = splitSummary(summarize(record));
        files[name] = { stamp, brief };
        (this.fresh[runId] ??= {})[name] = [stamp, detail];
      } else files[name] = { stamp, brief: null };
      reread = true;
    }
    if (reread) {
      this.runs[runId] = { stamp: dirStamp, files };
      this.changed = true;
    }
    this.checked.add(runId);
    return files;
  }

  private forget(runId: string): void {
    if (this.runs) delete this.runs[runId];
    this.changed = true;
  }

  private load(): Record<string, RunEntry> {
    return this.loadFile<Record<string, RunEntry>>('summaries.json') ?? {};
  }

  private loadDetails(): Details {
    return this.loadFile<Details>('summary-details.json') ?? {};
  }

  private loadFile<T>(name: string): T | undefined {
    const cached = readJson<{ version?: number; runs?: T }>(path.join(this.runsDir, name));
    return cached?.version === VERSION && typeof cached.runs === 'object' && cached.runs !== null ? cached.runs : undefined;
  }
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
