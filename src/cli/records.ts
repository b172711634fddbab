import * as path from 'node:path';
import { loadConfig, type Config } from '../core/config/config';
import { listVersions } from '../core/review/versions';
import { Git } from '../core/git/git';
import { LESSONS_FILE, readLessons } from '../core/record/lessons';
import { Store, type DamagedRecord } from '../core/record/store';
import { approvalChain } from '../core/review/chain';
import { caseEvidence } from '../core/review/caseEvidence';
import { candidateDetails, candidateLine, candidateSummary, versionLine } from './format';
import { print, printJson } from './output';

interface Json {
  json?: boolean;
}

/** The workspace's repository and config; outside a git repository, an error rather than an empty store. */
async function open(workspace: string): Promise<{ git: Git; config: Config }> {
  const git = await Git.open(workspace);
  return { git, config: loadConfig(workspace) };
}

export async function list(workspace: string, opts: Json & { status?: string[] }): Promise<void> {
  const { git, config } = await open(workspace);
  const store = new Store(git.root);
  const wanted = opts.status && new Set(opts.status);
  const keep = <T extends { status: string }>(all: { found: T[]; damaged: DamagedRecord[] }): { candidates: T[]; damaged: DamagedRecord[] } => ({
    candidates: wanted ? all.found.filter((c) => wanted.has(c.status)) : all.found,
    damaged: !wanted || wanted.has('damaged') ? all.damaged : [],
  });
  if (opts.json) {
    // The whole summaries: JSON carries each candidate's metrics and content hash, which a listing's briefs leave out.
    const all = store.summaries();
    const { candidates, damaged } = keep({ found: all.summaries, damaged: all.damaged });
    return printJson([...candidates.map((c) => candidateSummary(c, config.objective.eval)), ...damaged.map((d) => ({ id: d.id, status: 'damaged', file: d.file }))]);
  }
  const all = store.briefs();
  const { candidates, damaged } = keep({ found: all.briefs, damaged: all.damaged });
  if (candidates.length + damaged.length === 0) return print(wanted ? `no ${[...wanted].join(' or ')} candidates` : 'no candidates yet: `aiai run` makes some');
  // One write: a line at a time costs a system call for each of thousands of candidates.
  print([...candidates.map(candidateLine), ...damaged.map((d) => `${d.id}  ${'damaged'.padEnd(10)}  the record ${d.file} cannot be read; its ref is kept`)].join('\n'));
}

/** Changed cases `show` prints unless told otherwise: enough to see a pattern, short enough to read. */
const CASES_SHOWN = 10;

export async function show(workspace: string, id: string, opts: Json & { cases?: number; caseFilter?: string }): Promise<void> {
  const { git, config } = await open(workspace);
  const store = new Store(git.root);
  const candidate = store.candidate(id);
  if (opts.json) return printJson(candidate);
  const limit = opts.cases ?? CASES_SHOWN;
  const cases = caseEvidence(store, candidate, { ...(opts.caseFilter ? { text: opts.caseFilter } : {}), ...(Number.isFinite(limit) ? { limit } : {}) });
  const lineage = store.lineage(candidate);
  // What approving would apply is read from the whole lineage; with a record of it damaged, the lineage line says so instead.
  const chain = candidate.status === 'pending' && !lineage.unreadable ? await approvalChain(git, store, config, candidate) : undefined;
  print(candidateDetails(candidate, lineage, { cases, filter: opts.caseFilter, ...(chain ? { chain } : {}) }));
}

export async function lessons(workspace: string, opts: Json): Promise<void> {
  const { git } = await open(workspace);
  const text = readLessons(git.root);
  if (opts.json) return printJson({ file: path.join(git.root, LESSONS_FILE), lessons: text ?? null });
  print(text ?? `no lessons yet: a run with a model proposer writes ${LESSONS_FILE}, and you may write it yourself`);
}

export async function versions(workspace: string, opts: Json): Promise<void> {
  const { git, config } = await open(workspace);
  const all = await listVersions(git, new Store(git.root), config);
  if (opts.json) return printJson(all);
  const head = await git.head();
  for (const v of all) print(versionLine(v, config.objective.metric, v.commit === head));
}
