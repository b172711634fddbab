import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { errorMessage, runtimeError, usageError } from '../common/errors';
import { readJson, writeJsonAtomic } from '../common/files';
import type { CandidateRecord, RunRecord } from './records';
import type { CandidateBrief, CandidateSummary } from './summary';
import { SummaryCache } from './summaryCache';

/** Oldest first; ISO times order as strings (a plain comparison, not a locale's). */
function byCreation(a: { createdAt: string }, b: { createdAt: string }): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}

/** A candidate record that cannot be read, and the id its file name gives. */
export interface DamagedRecord {
  file: string;
  id: string;
}

/** The folder of a run's candidates being made: one empty file per id. */
const MAKING = 'making';

/** Enough of a record's shape to list and show it; anything less is damaged. */
function isCandidateRecord(value: unknown): value is CandidateRecord {
  const r = value as Partial<CandidateRecord> | undefined;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.status === 'string' && typeof r.createdAt === 'string' && typeof r.parent === 'object' && r.parent !== null;
}

/**
 * Run and candidate records under `.aiai/runs/<run>/`: the one store the CLI and the
 * extension both read and write. Every write replaces a whole file atomically.
 */
/** A candidate's lineage as the store could read it: the candidates it grew from, oldest first, up to a record that cannot be read. */
export interface Lineage {
  ancestors: CandidateRecord[];
  unreadable?: { id: string; problem: string };
}

export class Store {
  readonly runsDir: string;
  private readonly cache: SummaryCache;

  /** `options.forRun`: the store of a run of the loop, which lists the candidates once per proposal. */
  constructor(
    readonly workspace: string,
    options: { forRun?: boolean } = {},
  ) {
    this.runsDir = path.join(workspace, CONFIG_DIR, 'runs');
    this.cache = new SummaryCache(this.runsDir, options.forRun ?? false);
  }

  newRunId(): string {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return `${stamp}-${randomBytes(2).toString('hex')}`;
  }

  /**
   * A new candidate id: 48 random bits (one chance in about half a million of any two
   * alike among a million candidates), and never one a record here already has. A
   * person gives a unique prefix of it.
   */
  newCandidateId(): string {
    this.ids ??= new Set([...this.recordFiles(), ...this.unfinished()].map((f) => f.id));
    for (;;) {
      const id = randomBytes(6).toString('hex');
      if (this.ids.has(id)) continue;
      this.ids.add(id);
      return id;
    }
  }

  /** The ids of the records there were when the first new one was made, and those made since. */
  private ids: Set<string> | undefined;

  runDir(runId: string): string {
    return path.join(this.runsDir, runId);
  }

  logDir(runId: string): string {
    const dir = path.join(this.runDir(runId), 'logs');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  saveRun(run: RunRecord): void {
    writeJsonAtomic(path.join(this.runDir(run.id), 'run.json'), run);
  }

  saveCandidate(candidate: CandidateRecord): void {
    writeJsonAtomic(path.join(this.runDir(candidate.runId), 'candidates', `${candidate.id}.json`), candidate);
  }

  /** One run's record, when it can be read. */
  run(runId: string): RunRecord | undefined {
    return readJson<RunRecord>(path.join(this.runDir(runId), 'run.json'));
  }

  runs(): RunRecord[] {
    return this.runIds()
      .map((id) => this.run(id))
      .filter((r): r is RunRecord => r !== undefined);
  }

  /** The run records, newest first, each read only when the caller asks for the next: most callers want the last few. */
  *runsNewestFirst(): Generator<RunRecord> {
    for (const id of this.runIds().reverse()) {
      const run = this.run(id);
      if (run) yield run;
    }
  }

  /** All candidates of all runs that can be read, oldest first, whole. Listing wants `summaries()`. */
  candidates(): CandidateRecord[] {
    return this.recordFiles()
      .map((f) => this.read(this.recordFile(f)))
      .filter(isCandidateRecord)
      .sort(byCreation);
  }

  /**
   * A brief of every candidate, oldest first, and the records that cannot be read:
   * what a listing shows. Only records written since the last call are read: the
   * rest come from a cache, whose objects these are (not copies): do not change them.
   */
  briefs(): { briefs: CandidateBrief[]; damaged: DamagedRecord[] } {
    const { found, damaged } = this.walk((runId, read) => this.cache.briefs(runId, read));
    return { briefs: found, damaged };
  }

  /** A whole summary of every candidate, oldest first, and the records that cannot be read: what the loop needs. */
  summaries(): { summaries: CandidateSummary[]; damaged: DamagedRecord[] } {
    const { found, damaged } = this.walk((runId, read) => this.cache.summaries(runId, read));
    return { summaries: found, damaged };
  }

  private walk<T extends { createdAt: string }>(ofRun: (runId: string, read: (file: string) => CandidateRecord | undefined) => Record<string, T | null>): { found: T[]; damaged: DamagedRecord[] } {
    const found: T[] = [];
    const damaged: DamagedRecord[] = [];
    const runIds = this.runIds();
    const read = (file: string): CandidateRecord | undefined => {
      const record = this.read(file);
      return isCandidateRecord(record) ? record : undefined;
    };
    for (const runId of runIds) {
      for (const [name, summary] of Object.entries(ofRun(runId, read))) {
        if (summary) found.push(summary);
        else damaged.push({ file: path.join(this.runDir(runId), 'candidates', name), id: name.slice(0, -'.json'.length) });
      }
    }
    this.cache.save(runIds);
    return { found: found.sort(byCreation), damaged };
  }

  /**
   * Marks a candidate as being made, before its ref is written: if the run dies
   * before the record is saved, the next run knows the ref is aiai's own and unrecorded.
   */
  markMaking(runId: string, id: string): void {
    const dir = path.join(this.runDir(runId), MAKING);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, id), '');
  }

  doneMaking(runId: string, id: string): void {
    rmSync(path.join(this.runDir(runId), MAKING, id), { force: true });
  }

  /** Whether a run holds a record file for this candidate, readable or not. */
  hasRecord(runId: string, id: string): boolean {
    return existsSync(path.join(this.runDir(runId), 'candidates', `${id}.json`));
  }

  /** Candidates a run began to make and never recorded, by run. */
  unfinished(): Array<{ runId: string; id: string }> {
    return this.runIds().flatMap((runId) => {
      const dir = path.join(this.runDir(runId), MAKING);
      return existsSync(dir) ? readdirSync(dir).map((id) => ({ runId, id })) : [];
    });
  }

  /** Every candidate record file, by run, with the id its name gives; paths are joined only for the few a caller reads. */
  private recordFiles(): Array<{ runId: string; id: string }> {
    return this.runIds().flatMap((runId) => {
      const dir = path.join(this.runDir(runId), 'candidates');
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ runId, id: f.slice(0, -'.json'.length) })) : [];
    });
  }

  private recordFile(f: { runId: string; id: string }): string {
    return path.join(f.runId, 'candidates', `${f.id}.json`);
  }

  private read(file: string): unknown {
    return readJson<unknown>(path.join(this.runsDir, file));
  }

  /** A candidate by id or unique id prefix; only its own record is read. */
  candidate(idOrPrefix: string): CandidateRecord {
    const prefix = idOrPrefix.toLowerCase();
    const matches = idOrPrefix.length === 0 ? [] : this.recordFiles().filter((f) => f.id.startsWith(prefix));
    const [match, ...others] = matches;
    if (!match) throw usageError(`no candidate "${idOrPrefix}"; \`aiai list\` shows the candidates`);
    if (others.length > 0) throw usageError(`"${idOrPrefix}" matches ${matches.length} candidates (${matches.map((c) => c.id).join(', ')}); give more of the id`);
    const file = this.recordFile(match);
    const record = this.read(file);
    if (!isCandidateRecord(record)) throw runtimeError(`the record of candidate ${match.id} cannot be read (${path.join(this.runsDir, file)}); it is kept as it is`);
    return record;
  }

  /** The candidates with these ids that can be read, by id; only their records are read. */
  some(ids: ReadonlySet<string>): Map<string, CandidateRecord> {
    const found = new Map<string, CandidateRecord>();
    for (const f of this.recordFiles()) {
      if (!ids.has(f.id)) continue;
      const record = this.read(this.recordFile(f));
      if (isCandidateRecord(record)) found.set(f.id, record);
    }
    return found;
  }

  /**
   * The candidates a candidate grew from, oldest first, each read by id. A damaged
   * record ends the walk: what it grew from cannot be known, so `ancestors` holds
   * those after it and `unreadable` names it and why, for the reader to say.
   */
  lineage(candidate: Pick<CandidateRecord, 'parent'>): Lineage {
    const ancestors: CandidateRecord[] = [];
    for (let id = candidate.parent.id; id !== null; ) {
      let ancestor: CandidateRecord;
      try {
        ancestor = this.candidate(id);
      } catch (error) {
        return { ancestors, unreadable: { id, problem: errorMessage(error) } };
      }
      ancestors.unshift(ancestor);
      id = ancestor.parent.id;
    }
    return { ancestors };
  }

  private runIds(): string[] {
    if (!existsSync(this.runsDir)) return [];
    return readdirSync(this.runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }
}
