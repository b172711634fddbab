import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR } from '../config/config';
import type { Edit } from '../propose/edits';
import { usageError } from '../common/errors';
import { readJson, writeJsonAtomic } from '../common/files';
import type { Evaluation } from '../grade/evaluation';
import type { GradeFlag } from '../grade/verdict';
import type { ObjectiveChange } from '../../shared/review';
import type { CaseChanges, Metrics } from '../grade/metrics';
import type { LeftOut, ToolCall } from '../propose/proposer';
import type { Usage } from '../../shared/usage';

export type CandidateStatus = 'pending' | 'approved' | 'rejected' | 'refused' | 'failed';
/** The grader's flags, and `duplicate` for a change already tried. */
export type Flag = GradeFlag | 'duplicate';

/** Who rejects a candidate that did not improve. */
export const LOOP_ACTOR = 'aiai loop';

export interface Decision {
  at: string;
  /** Who acted, and through which front end, e.g. "person via cli". */
  by: string;
  reason?: string;
  /** The commit an approval made on the branch. */
  commit?: string;
}

export interface CandidateRecord {
  id: string;
  runId: string;
  createdAt: string;
  finishedAt?: string;
  status: CandidateStatus;
  reason?: string;
  flags: Flag[];
  title: string;
  rationale: string;
  proposer: string;
  parent: { id: string | null; commit: string };
  /** The version the run started from; an approval applies base..commit. */
  base: string;
  commit?: string;
  /** The candidate's git tree id: what an approval checks it deploys. */
  contentHash?: string;
  edits: Edit[];
  changedPaths: string[];
  /** base..commit, the change an approval would make. */
  diff: string;
  evaluation?: Evaluation;
  objective?: ObjectiveChange;
  /** Per eval, per metric: candidate − parent, and candidate − current version. */
  deltas: { vsParent: Record<string, Metrics>; vsCurrent: Record<string, Metrics> };
  /** Per eval: cases that newly pass or fail against the parent. */
  cases: Record<string, CaseChanges>;
  durationMs: number;
  decision?: Decision;
  /** Tokens and cost of the model calls behind the proposal. */
  usage?: Usage;
  /** Files the proposer did not show the model. */
  leftOut?: LeftOut[];
  /** The candidate's change, normalized: equal for the same change. */
  changeKey?: string;
  /** The candidate whose evaluation of the same content this one reuses. */
  evaluatedAs?: string;
  /** The model that proposed it, when the proposer has several. */
  model?: string;
  /** The tool calls of the agent conversation that made it. */
  conversation?: ToolCall[];
}

export type RunState = 'running' | 'finished' | 'failed' | 'interrupted' | 'crashed';

export interface RunRecord {
  id: string;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  state: RunState;
  base: string;
  branch?: string;
  proposer: string;
  /** How evaluations were isolated: bubblewrap, or none. */
  isolation: 'bubblewrap' | 'none';
  iterations: number;
  parallel: number;
  baseline?: Evaluation;
  stopReason?: string;
  error?: string;
  /** Tokens and cost of all model calls of the run… */
  usage?: Usage;
  /** …of which the call that rewrote the lessons at its end. */
  lessonsUsage?: Usage;
  /** Evaluation work the run did not have to do. */
  savings: RunSavings;
  /** Drafts a proposer had graded before it submitted (agent mode's run_evals). */
  drafts?: { evaluations: number; durationMs: number };
  /** Identifies the evals and sandbox the run graded with; equal keys grade alike. */
  evalsKey: string;
}

export interface RunSavings {
  /** Evaluations reused for content already evaluated (the baseline by an earlier run, a candidate by this one). */
  reusedEvaluations: number;
  /** Proposals of a change already tried: refused before evaluation. */
  duplicates: number;
  /** Evals the cascade did not run (after a failed gate or eval, or holdout without an improvement)… */
  skippedEvals: number;
  /** …and what they took on the baseline. */
  skippedEvalMs: number;
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

  constructor(readonly workspace: string) {
    this.runsDir = path.join(workspace, CONFIG_DIR, 'runs');
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

  runs(): RunRecord[] {
    return this.runIds()
      .map((id) => readJson<RunRecord>(path.join(this.runDir(id), 'run.json')))
      .filter((r): r is RunRecord => r !== undefined);
  }

  /** All candidates of all runs that can be read, oldest first; `damaged()` names the others. */
  candidates(): CandidateRecord[] {
    return this.readCandidates().records;
  }

  /** Candidate records that cannot be read (truncated, edited by hand): their files and ids. */
  damaged(): DamagedRecord[] {
    return this.readCandidates().damaged;
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

  /** Candidates a run began to make and never recorded, by run. */
  unfinished(): Array<{ runId: string; id: string }> {
    return this.runIds().flatMap((runId) => {
      const dir = path.join(this.runDir(runId), MAKING);
      return existsSync(dir) ? readdirSync(dir).map((id) => ({ runId, id })) : [];
    });
  }

  private readCandidates(): { records: CandidateRecord[]; damaged: DamagedRecord[] } {
    const records: CandidateRecord[] = [];
    const damaged: DamagedRecord[] = [];
    for (const runId of this.runIds()) {
      const dir = path.join(this.runDir(runId), 'candidates');
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const record = readJson<CandidateRecord>(path.join(dir, file));
        if (isCandidateRecord(record)) records.push(record);
        else damaged.push({ file: path.join(dir, file), id: file.slice(0, -'.json'.length) });
      }
    }
    return { records: records.sort((a, b) => a.createdAt.localeCompare(b.createdAt)), damaged };
  }

  /** A candidate by id or unique id prefix. */
  candidate(idOrPrefix: string): CandidateRecord {
    const matches = idOrPrefix.length === 0 ? [] : this.candidates().filter((c) => c.id.startsWith(idOrPrefix.toLowerCase()));
    const [match, ...others] = matches;
    if (!match) throw usageError(`no candidate "${idOrPrefix}"; \`aiai list\` shows the candidates`);
    if (others.length > 0) throw usageError(`"${idOrPrefix}" matches ${matches.length} candidates (${matches.map((c) => c.id).join(', ')}); give more of the id`);
    return match;
  }

  private runIds(): string[] {
    if (!existsSync(this.runsDir)) return [];
    return readdirSync(this.runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }
}
