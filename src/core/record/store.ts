import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import { runtimeError, usageError } from '../common/errors';
import { readJson, writeJsonAtomic } from '../common/files';
import type { CandidateRecord, RunRecord } from './records';
import type { CandidateSummary } from './summary';
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

  newCandidateId(): string {
    return randomBytes(4).toString('hex');
  }

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

  /** All candidates of all runs that can be read, oldest first, whole. Listing wants `summaries()`. */
  candidates(): CandidateRecord[] {
    return this.recordFiles()
      .map((f) => this.read(f.file))
      .filter(isCandidateRecord)
      .sort(byCreation);
  }

  /**
   * A summary of every candidate, oldest first, and the records that cannot be read.
   * Only records written since the last call are read: the rest come from a cache.
   */
  summaries(): { summaries: CandidateSummary[]; damaged: DamagedRecord[] } {
    const summaries: CandidateSummary[] = [];
    const damaged: DamagedRecord[] = [];
    const runIds = this.runIds();
    for (const runId of runIds) {
      const read = (file: string): CandidateRecord | undefined => {
        const record = this.read(file);
        return isCandidateRecord(record) ? record : undefined;
      };
      for (const [name, summary] of Object.entries(this.cache.run(runId, read))) {
        if (summary) summaries.push(summary);
        else damaged.push({ file: path.join(this.runDir(runId), 'candidates', name), id: name.slice(0, -'.json'.length) });
      }
    }
    this.cache.save(runIds);
    return { summaries: summaries.sort(byCreation), damaged };
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

  /** Every candidate record file, relative to the runs folder, with the id its name gives. */
  private recordFiles(): Array<{ file: string; id: string }> {
    return this.runIds().flatMap((runId) => {
      const dir = path.join(this.runDir(runId), 'candidates');
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ file: path.join(runId, 'candidates', f), id: f.slice(0, -'.json'.length) })) : [];
    });
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
    const record = this.read(match.file);
    if (!isCandidateRecord(record)) throw runtimeError(`the record of candidate ${match.id} cannot be read (${path.join(this.runsDir, match.file)}); it is kept as it is`);
    return record;
  }

  /** The candidates with these ids that can be read, by id; only their records are read. */
  some(ids: ReadonlySet<string>): Map<string, CandidateRecord> {
    const found = new Map<string, CandidateRecord>();
    for (const { file, id } of this.recordFiles()) {
      if (!ids.has(id)) continue;
      const record = this.read(file);
      if (isCandidateRecord(record)) found.set(id, record);
    }
    return found;
  }

  /** The candidates a candidate grew from, oldest first, each read by id. */
  ancestors(candidate: Pick<CandidateRecord, 'parent'>): CandidateRecord[] {
    const chain: CandidateRecord[] = [];
    for (let id = candidate.parent.id; id !== null; ) {
      const ancestor = this.candidate(id);
      chain.unshift(ancestor);
      id = ancestor.parent.id;
    }
    return chain;
  }

  private runIds(): string[] {
    if (!existsSync(this.runsDir)) return [];
    return readdirSync(this.runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }
}
