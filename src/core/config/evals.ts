import { evalReportProblems, type EvalReport } from './evalFormat';
import { twoPhaseProblems } from './twoPhase';

/*
 * The evals of a config: their defaults, what is wrong with them, and the two
 * views a split makes of one eval's report.
 */

export interface Gate {
  metric: string;
  min?: number;
  max?: number;
}

export interface EvalSpec extends EvalReport {
  name: string;
  command: string;
  timeoutSec: number;
  holdout: boolean;
  /** Runs per evaluation; more than one gives the metrics a spread. */
  repeats: number;
  gate?: Gate;
  /** Makes the eval two-phase: `command` runs the agent, writing outputs; this grades them, where the candidate's code is not. */
  grade?: string;
  /** Globs of the files only a grader sees: absent while any eval's command runs. */
  answers: string[];
  /** Globs of the files present only while this eval runs. */
  data: string[];
  /** The cases of the report this eval grades, when its config splits them. */
  view?: CaseView;
  /** Whether a candidate races its parent case by case on this eval (grade/race.ts), through $AIAI_CASES_FILE. */
  race: boolean;
}

/** `split` as the config gives it: the fraction of the report's cases held out. */
export interface EvalSplit {
  holdout: number;
}

/** Which cases of a split report an eval grades: those outside the holdout fraction (the train view), or those inside it. */
export interface CaseView {
  part: 'train' | 'holdout';
  /** The fraction of the cases, by a hash of their ids, that the holdout view takes. */
  holdout: number;
}

/** An eval as the config file lists it, before its defaults. */
export type RawEval = Omit<EvalSpec, 'timeoutSec' | 'holdout' | 'repeats' | 'answers' | 'data' | 'format' | 'view' | 'race'> & Partial<Omit<EvalSpec, 'view'>> & { split?: EvalSplit };

/** An eval as the config file lists it, with its defaults: a split one is still one. */
export type ListedEval = Omit<EvalSpec, 'view'> & { split?: EvalSplit };

/**
 * The metrics a view of a split "aiai" eval computes from its cases: the metrics
 * file's own are of every case, the holdout's too.
 */
export const AIAI_VIEW_METRICS = ['pass_rate', 'passed', 'failed', 'score'];
/** The model gateway's metrics (MODEL_METRIC_PREFIX of gateway/, a room config/ does not import), measured beside any eval's. */
const GATEWAY_METRIC = /^model\./;

export interface EvalProblem {
  /** Where it stands in the config: ["evals", 2, "split"]. */
  location: Array<string | number>;
  message: string;
}

export function evalWithDefaults(e: RawEval): ListedEval {
  return { ...e, format: e.format ?? 'aiai', timeoutSec: e.timeoutSec ?? 300, holdout: e.holdout ?? false, repeats: e.repeats ?? 1, answers: e.answers ?? [], data: e.data ?? [], race: e.race ?? false };
}

/** The name of a split eval's holdout view. */
export function holdoutViewName(name: string): string {
  return `${name}.holdout`;
}

/**
 * The evals a run grades: a split eval is its train view, under its own name, and
 * its holdout view joins the holdout evals, after every eval the config lists (so
 * each of those keeps its index, which locates its problems in the file).
 */
export function withSplitViews(evals: ListedEval[]): EvalSpec[] {
  const views = evals.flatMap(({ split, ...e }) => (split ? [{ ...e, name: holdoutViewName(e.name), holdout: true, race: false, view: { part: 'holdout' as const, holdout: split.holdout } }] : []));
  return [...evals.map(({ split, ...e }) => (split ? { ...e, view: { part: 'train' as const, holdout: split.holdout } } : e)), ...views];
}

/** The evals as the config file lists them, each at its index: a split's holdout view, listed nowhere, left out. */
export function listedEvals(evals: EvalSpec[]): EvalSpec[] {
  return evals.filter((e) => e.view?.part !== 'holdout');
}

/** What is wrong with the evals the config lists, each problem where it stands. */
export function evalProblems(evals: ListedEval[], editable: string[], objective: { eval: string; metric: string }): EvalProblem[] {
  const problems: EvalProblem[] = [];
  const names = new Map<string, number>();
  evals.forEach((e, i) => {
    const report = (location: Array<string | number>, message: string): void => void problems.push({ location: ['evals', i, ...location], message });
    if (names.has(e.name)) report(['name'], `eval name "${e.name}" is used twice`);
    names.set(e.name, i);
    if (e.gate && e.holdout) report(['gate'], `eval "${e.name}" cannot be both a gate and a holdout`);
    if (e.gate?.min !== undefined && e.gate.max !== undefined && e.gate.min > e.gate.max) report(['gate'], `gate of eval "${e.name}" has min greater than max`);
    for (const p of [...twoPhaseProblems(e, editable), ...evalReportProblems(e)]) report(p.location, p.message);
    if (e.race) for (const p of raceProblems(e, objective)) problems.push(p.location[0] === 'objective' ? p : { ...p, location: ['evals', i, ...p.location] });
  });
  evals.forEach((e, i) => {
    if (!e.split) return;
    const report = (message: string): void => void problems.push({ location: ['evals', i, 'split'], message });
    const view = holdoutViewName(e.name);
    if (e.holdout) report(`eval "${e.name}" is a holdout eval: "split" divides a train eval's cases into its train view and a holdout view`);
    else if (e.gate) report(`eval "${e.name}" is a gate, which decides on all its cases: split a train eval instead`);
    if (names.has(view)) report(`eval "${e.name}" is split into "${e.name}" and its holdout view "${view}", and evals[${names.get(view)}] is named "${view}" too: rename one`);
    const metric = objective.metric;
    if (objective.eval === e.name && e.format === 'aiai' && !AIAI_VIEW_METRICS.includes(metric) && !GATEWAY_METRIC.test(metric)) {
      problems.push({
        location: ['objective', 'metric'],
        message: `objective metric "${metric}": eval "${e.name}" is split, and a view of a split "aiai" eval has the metrics of its own cases (${AIAI_VIEW_METRICS.join(', ')}); the metrics file's are of every case, the holdout's too`,
      });
    }
  });
  return problems;
}

/** The cases a race may average: a pass rate, or the mean of scores in [0, 1] (grade/race.ts). */
export const RACE_METRICS = ['pass_rate', 'score'];

/**
 * Why an eval may not race: a race stops a candidate on the objective, case by case,
 * so it needs the objective's own eval, a metric that is a mean over cases, and one
 * run per case (the sign test allows for a case's noise itself).
 */
function raceProblems(e: ListedEval, objective: { eval: string; metric: string }): EvalProblem[] {
  const here = (message: string): EvalProblem => ({ location: ['race'], message });
  if (e.holdout) return [here(`eval "${e.name}" is a holdout eval, which runs only for a candidate that improved: only the objective's train eval races`)];
  if (e.gate) return [here(`eval "${e.name}" is a gate, which decides on all its cases: only the objective's train eval races`)];
  if (objective.eval !== e.name) return [here(`eval "${e.name}" races, but the objective is eval "${objective.eval}"'s: a race stops a candidate on the objective, so only the objective's eval races`)];
  const problems: EvalProblem[] = [];
  if (!RACE_METRICS.includes(objective.metric)) {
    problems.push({ location: ['objective', 'metric'], message: `objective metric "${objective.metric}": eval "${e.name}" races, and a race compares the cases one by one, so the objective must be a mean over them (${RACE_METRICS.join(' or ')})` });
  }
  if (e.repeats > 1) problems.push({ location: ['repeats'], message: `eval "${e.name}" races, which runs each case once: the race's sign test allows for a case's noise itself (a case that passes one run in two turns as often for the candidate as against it); set repeats to 1 or drop race` });
  return problems;
}
