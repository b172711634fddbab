import type { Objective, SearchStrategy } from '../src/core/config/config';
import { readKnobValue, type Knob, type KnobValue } from '../src/core/config/knobs';
import { seededRandom } from '../src/core/common/random';
import type { Evaluation } from '../src/core/grade/evaluation';
import { standardError } from '../src/core/grade/grading';
import { verdict } from '../src/core/grade/verdict';
import { selectParent, type ParentNode } from '../src/core/loop/parentSelection';
import { applyEdits } from '../src/core/propose/edits';
import type { Attempt, ProposalRequest, Proposer } from '../src/core/propose/proposer';

/** A workspace in miniature: files holding knobs, and a score of their values (higher is better). */
export interface KnobProblem {
  knobs: Knob[];
  files: Record<string, string>;
  score(values: Record<string, KnobValue>): number;
  /** The eval adds a normal draw of `sd` to each of its `repeats` runs. */
  noise?: { sd: number; repeats: number };
  /** Lower is better. */
  minimize?: boolean;
}

export interface LoopOptions {
  iterations: number;
  strategy?: SearchStrategy;
  seed?: number;
}

/** One candidate of the run, as the loop made and graded it. */
export interface Made {
  title: string;
  rationale: string;
  /** The knobs' values in the files after the proposal's edits. */
  values: Record<string, KnobValue>;
  parentValues: Record<string, KnobValue>;
  files: Record<string, string>;
  /** The measured score (the mean of the runs), and the score without noise. */
  measured: number;
  truth: number;
  status: 'pending' | 'rejected';
}

export interface LoopResult {
  made: Made[];
  /** Why the proposer stopped early, if it did. */
  exhausted?: string;
  /** The true score of the version with the best measured score (the start included), as a person would approve it. */
  best: number;
  start: number;
}

interface Version extends ParentNode {
  commit: string;
  evaluation: Evaluation;
  /** Awaits review (greedy builds only on these); the loop's rejections are valid too for archive and tree. */
  status: 'pending' | 'rejected';
  truth: number;
}

/**
 * Runs a proposer on a problem as the loop runs it, in memory rather than in git:
 * the loop's own parent selection picks the version to build on, the proposer
 * gets a real ProposalRequest (the parent's train metrics and noise, the history
 * of attempts with their scores), its edits are applied to the parent's files,
 * the knobs read back and scored (`repeats` noisy runs: their mean and spread, as
 * the evaluator reports them), and the loop's own verdict grades the candidate.
 */
export async function knobLoop(problem: KnobProblem, proposer: Proposer, options: LoopOptions): Promise<LoopResult> {
  const objective: Objective = { eval: 'train', metric: 'score', direction: problem.minimize ? 'minimize' : 'maximize', minDelta: 0 };
  const strategy = options.strategy ?? 'greedy';
  // Two streams, so that every method draws the same noise for its n-th evaluation whatever its parent selection draws.
  const noise = seededRandom((options.seed ?? 1) * 7919 + 13);
  const picks = seededRandom((options.seed ?? 1) * 104_729 + 7);
  const files = new Map<string, Map<string, string>>([['c0', new Map(Object.entries(problem.files))]]);
  const valuesAt = (commit: string): Record<string, KnobValue> => {
    const out: Record<string, KnobValue> = {};
    for (const knob of problem.knobs) {
      const read = readKnobValue(knob, files.get(commit)!.get(knob.file) ?? '');
      if (!read.ok) throw new Error(`${proposer.name} wrote a file whose knob "${knob.name}" cannot be read: ${read.error}`);
      out[knob.name] = read.value;
    }
    return out;
  };
  const evaluate = (commit: string): { evaluation: Evaluation; truth: number } => {
    const truth = problem.score(valuesAt(commit));
    const runs = Array.from({ length: problem.noise?.repeats ?? 1 }, () => truth + (problem.noise ? problem.noise.sd * gaussian(noise) : 0));
    const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
    const spread = Math.sqrt(runs.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, runs.length - 1));
    const evaluation: Evaluation = {
      commit,
      ok: true,
      tamperedPaths: [],
      durationMs: 0,
      evals: [{ name: 'train', holdout: false, gate: false, status: 'passed', metrics: { score: mean }, cases: [], exitCode: 0, durationMs: 0, logFile: '', logTail: '', ...(runs.length > 1 ? { repeated: { runs: runs.length, spread: { score: spread } } } : {}) }],
    };
    return { evaluation, truth };
  };
  const scoreOf = (evaluation: Evaluation): number => evaluation.evals[0]!.metrics.score!;
  const first = evaluate('c0');
  const baseline: Version = { id: null, parentId: null, commit: 'c0', evaluation: first.evaluation, objectiveValue: scoreOf(first.evaluation), status: 'pending', truth: first.truth };
  const versions: Version[] = [baseline];
  const history: Attempt[] = [];
  const made: Made[] = [];
  const children = new Map<string | null, number>();
  let exhausted: string | undefined;
  for (let i = 1; i <= options.iterations; i++) {
    const nodes = versions.filter((v) => v.status === 'pending' || strategy !== 'greedy');
    const parent = selectParent(strategy, nodes, children, objective, picks);
    children.set(parent.id, (children.get(parent.id) ?? 0) + 1);
    const request: ProposalRequest = {
      objective,
      parent: {
        id: parent.id,
        commit: parent.commit,
        metrics: { train: { score: parent.objectiveValue } },
        objectiveValue: parent.objectiveValue,
        ...standardError(objective, parent.evaluation),
        failures: [],
        passes: [],
        feedback: {},
      },
      base: 'c0',
      history: [...history],
      readFile: async (commit, file) => files.get(commit)?.get(file),
      listFiles: async (commit) => [...(files.get(commit)?.keys() ?? [])],
      diff: async () => '',
      guard: async () => undefined,
      evaluateDraft: async () => {
        throw new Error('a knob search grades no drafts');
      },
      signal: new AbortController().signal,
    };
    const outcome = await proposer.propose(request);
    if (outcome.kind === 'exhausted') {
      exhausted = outcome.reason;
      break;
    }
    if (outcome.kind !== 'proposal') throw new Error(`${proposer.name} answered ${outcome.kind}: ${outcome.reason}`);
    const applied = await applyEdits(outcome.proposal.edits, async (file) => files.get(parent.commit)?.get(file));
    if (!applied.ok) throw new Error(`${proposer.name} made edits that do not apply: ${applied.reason}`);
    const commit = `c${i}`;
    const next = new Map(files.get(parent.commit));
    for (const change of applied.changes) if ('content' in change && change.content !== null) next.set(change.path, change.content);
    files.set(commit, next);
    const { evaluation, truth } = evaluate(commit);
    const status = verdict(objective, evaluation, parent, baseline).status === 'pending' ? 'pending' : 'rejected';
    const measured = scoreOf(evaluation);
    const id = `a${i}`;
    history.push({ id, title: outcome.proposal.title, outcome: status === 'pending' ? 'improved' : 'not-improved', status, parentId: parent.id, parentCommit: parent.commit, commit, objectiveValue: measured, delta: measured - parent.objectiveValue, failingCases: [] });
    versions.push({ id, parentId: parent.id, commit, evaluation, objectiveValue: measured, status, truth });
    made.push({ title: outcome.proposal.title, rationale: outcome.proposal.rationale, values: valuesAt(commit), parentValues: valuesAt(parent.commit), files: Object.fromEntries(next), measured, truth, status });
  }
  const better = (a: Version, b: Version): boolean => (problem.minimize ? a.objectiveValue < b.objectiveValue : a.objectiveValue > b.objectiveValue);
  const best = versions.reduce((b, v) => (better(v, b) ? v : b));
  return { made, ...(exhausted ? { exhausted } : {}), best: best.truth, start: baseline.truth };
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
