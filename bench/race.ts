// `npm run bench:race`: racing each candidate against its parent, against full grading, at equal proposals; rewrites its section of BENCHMARKS.md.
import * as path from 'node:path';
import type { KnobValue } from '../src/core/config/knobs';
import { seededRandom } from '../src/core/common/random';
import { CaseHistory } from '../src/core/grade/caseHistory';
import { batchSize, DEFAULT_ERROR_RATE, DEFAULT_FUTILITY, race, type RaceCase, type RaceEnd } from '../src/core/grade/race';
import { isImprovement } from '../src/core/grade/metrics';
import { raceSeed } from '../src/core/grade/racing';
import { ParameterSearch } from '../src/core/propose/parameterSearch';
import type { Proposer } from '../src/core/propose/proposer';
import { ROOT } from '../test/helpers';
import { writeSection } from './benchmarksFile';
import { knobLoop } from './knobLoop';
import { SUITE, type Problem } from './numericSuite';
import { RandomSearch } from './searchBench';

export const RACE_HEADING = '## Racing candidates against their parents';

/** Cases per eval, proposals per run, and runs (seeds) per problem. */
const CASES = 120;
const ITERATIONS = 30;
const SEEDS = 10;
/** How sharply a case turns from failing to passing as the score passes its difficulty. */
const SHARPNESS = 0.08;
/** The stricter objective's minDelta, measured apart. */
const STRICTER = 0.02;

/**
 * A problem's score made an eval of CASES cases: case j passes with probability
 * σ((score − d_j) / SHARPNESS), its difficulty d_j spread evenly over [0, 1], so the
 * pass rate to expect rises with the score. Each grading draws every case anew: the
 * noise of an agent whose answers vary.
 */
function passProbabilities(score: number): number[] {
  return Array.from({ length: CASES }, (_, j) => 1 / (1 + Math.exp(-(score - (j + 0.5) / CASES) / SHARPNESS)));
}

function draw(probabilities: number[], random: () => number): RaceCase[] {
  return probabilities.map((p, j) => {
    const passed = random() < p;
    return { id: `case-${j}`, passed, value: passed ? 1 : 0 };
  });
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

interface Tally {
  candidates: number;
  fullRuns: number;
  raceRuns: number;
  /** Candidates whose expected pass rate is above their parent's. */
  trueImprovements: number;
  /** Of those, the ones full grading took as improvements (its measured pass rate above the parent's), and the ones of these the race stopped. */
  foundByFull: number;
  lostByRace: number;
  /** Improvements by full grading (true or not) that the race stopped. */
  fullImprovementsStopped: number;
  fullImprovements: number;
  /** Candidates the race let through to review that full grading rejects: a survivor runs every case, so none can be. */
  letThrough: number;
  /** Candidates stopped by each rule, and of those stopped by the predicted chance, the ones full grading takes. */
  stops: Record<Why, number>;
  unlikelyTaken: number;
  /** By how much the expected pass rate differs from the parent's: candidates and their raced case runs. */
  byChange: Map<string, { candidates: number; raceRuns: number }>;
}

/**
 * Where the proposals come from. The parameter search's small steps from the best
 * version so far break little, so many of its candidates are close to their
 * parents; random search's jumps break much, as broad rewrites by a model do.
 */
const STREAMS: Array<{ name: string; proposer(problem: Problem, seed: number): Proposer }> = [
  { name: 'parameter search', proposer: (problem, seed) => new ParameterSearch(problem.knobs, seed) },
  { name: 'random search', proposer: (problem, seed) => new RandomSearch(problem, seed) },
];

type Why = NonNullable<RaceEnd['stopped']>['why'];
const WHYS: Why[] = ['cannot-gain', 'worse', 'unlikely'];
const STOP_NAMES: Record<Why, string> = { 'cannot-gain': 'by the certain bound', worse: 'by the sign test', unlikely: 'by the predicted chance of gaining' };

/** The bands of a candidate's true change of pass rate that the section counts apart. */
const BANDS: Array<{ label: string; below: number }> = [
  { label: 'worse by more than 0.1', below: -0.1 },
  { label: 'worse by 0.03 to 0.1', below: -0.03 },
  { label: 'within 0.03', below: 0.03 },
  { label: 'better by more than 0.03', below: Infinity },
];

/**
 * One problem: a stream's proposals over SEEDS runs of the loop (as
 * `bench/knobLoop.ts` makes them), each graded both ways on the same draws of its
 * cases: in full, and raced against its parent's grading by the same `race` the
 * evaluator runs, its cases ordered by the run's history as the loop orders them.
 * A parent is graded once, and its children raced against that.
 */
async function raceProblem(problem: Problem, stream: (typeof STREAMS)[number], minDelta: number): Promise<Tally> {
  const t: Tally = { candidates: 0, fullRuns: 0, raceRuns: 0, trueImprovements: 0, foundByFull: 0, lostByRace: 0, fullImprovementsStopped: 0, fullImprovements: 0, letThrough: 0, stops: { 'cannot-gain': 0, worse: 0, unlikely: 0 }, unlikelyTaken: 0, byChange: new Map() };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { made } = await knobLoop(problem, stream.proposer(problem, seed), { iterations: ITERATIONS, seed });
    const random = seededRandom(seed * 65_537 + 11);
    // As the loop holds them: each version's grading (the start's, and each candidate's full one, which its children
    // race against), and what the run's history counted of it (a raced one, the cases it ran).
    const gradings = new Map<string, { full: RaceCase[]; counted: RaceCase[] }>();
    const history = new CaseHistory();
    const count = (values: Record<string, KnobValue>, full: RaceCase[], ran: RaceCase[], stopped: boolean): void => {
      history.add({ evals: [{ name: 'train', status: stopped ? 'raced-out' : 'passed', cases: ran }] });
      const key = JSON.stringify(values);
      if (!gradings.has(key)) gradings.set(key, { full, counted: ran });
    };
    const start = made[0] ? draw(passProbabilities(problem.score(made[0].parentValues)), random) : [];
    if (made[0]) count(made[0].parentValues, start, start, false);
    for (const [i, m] of made.entries()) {
      const parent = gradings.get(JSON.stringify(m.parentValues))!;
      const candidate = draw(passProbabilities(m.truth), random);
      const byId = new Map(candidate.map((c) => [c.id, c]));
      let ran = 0;
      const end = await race(parent.full, raceSeed(`s${seed}-c${i}`), { minDelta, errorRate: DEFAULT_ERROR_RATE, futility: DEFAULT_FUTILITY }, async (ids) => {
        ran += ids.length;
        return ids.map((id) => byId.get(id)!);
      }, history.disagreement('train', parent.counted));
      count(m.values, candidate, end?.ran ?? [], end?.stopped !== undefined);
      const parentCases = parent.full;
      const rate = (cases: RaceCase[]): number => mean(cases.map((c) => c.value));
      const takes = (cases: RaceCase[]): boolean => isImprovement({ direction: 'maximize', minDelta }, rate(cases), rate(parentCases));
      const fullImproves = takes(candidate);
      const change = mean(passProbabilities(m.truth)) - mean(passProbabilities(problem.score(m.parentValues)));
      const trulyBetter = change > 0;
      const band = BANDS.find((b) => change < b.below)!.label;
      const inBand = t.byChange.get(band) ?? { candidates: 0, raceRuns: 0 };
      t.byChange.set(band, { candidates: inBand.candidates + 1, raceRuns: inBand.raceRuns + ran });
      const stopped = end?.stopped !== undefined;
      t.candidates++;
      t.fullRuns += CASES;
      t.raceRuns += ran;
      if (fullImproves) t.fullImprovements++;
      if (fullImproves && stopped) t.fullImprovementsStopped++;
      if (end?.stopped) t.stops[end.stopped.why]++;
      if (fullImproves && end?.stopped?.why === 'unlikely') t.unlikelyTaken++;
      if (trulyBetter) t.trueImprovements++;
      if (trulyBetter && fullImproves) t.foundByFull++;
      if (trulyBetter && fullImproves && stopped) t.lostByRace++;
      if (!stopped && !fullImproves && takes(end!.ran)) t.letThrough++;
    }
  }
  return t;
}

const percent = (n: number, of: number): string => (of === 0 ? '–' : `${((100 * n) / of).toFixed(1)}%`);

function total(tallies: Tally[]): Tally {
  const sum = (f: (t: Tally) => number): number => tallies.reduce((n, t) => n + f(t), 0);
  return {
    candidates: sum((t) => t.candidates),
    fullRuns: sum((t) => t.fullRuns),
    raceRuns: sum((t) => t.raceRuns),
    trueImprovements: sum((t) => t.trueImprovements),
    foundByFull: sum((t) => t.foundByFull),
    lostByRace: sum((t) => t.lostByRace),
    fullImprovementsStopped: sum((t) => t.fullImprovementsStopped),
    fullImprovements: sum((t) => t.fullImprovements),
    letThrough: sum((t) => t.letThrough),
    stops: Object.fromEntries(WHYS.map((why) => [why, sum((t) => t.stops[why])])) as Record<Why, number>,
    unlikelyTaken: sum((t) => t.unlikelyTaken),
    byChange: new Map(
      BANDS.map(({ label }) => [
        label,
        { candidates: sum((t) => t.byChange.get(label)?.candidates ?? 0), raceRuns: sum((t) => t.byChange.get(label)?.raceRuns ?? 0) },
      ]),
    ),
  };
}

const fewer = (t: Tally): string => `${(t.fullRuns / t.raceRuns).toFixed(2)}×`;

/** Runs every problem on every stream and returns BENCHMARKS.md's section on racing. */
export async function raceSection(log: (line: string) => void = console.log): Promise<string> {
  const streams: Array<{ name: string; rows: Array<{ problem: Problem; t: Tally }>; all: Tally }> = [];
  for (const stream of STREAMS) {
    const rows: Array<{ problem: Problem; t: Tally }> = [];
    for (const problem of SUITE.filter((p) => !p.minimize)) {
      const t = await raceProblem(problem, stream, 0);
      rows.push({ problem, t });
      log(`${stream.name}, ${problem.name}: ${fewer(t)} fewer case runs; ${t.lostByRace} of ${t.foundByFull} true improvements lost`);
    }
    streams.push({ name: stream.name, rows, all: total(rows.map((r) => r.t)) });
  }
  const all = total(streams.map((s) => s.all));
  // The same proposals where an improvement must gain STRICTER cases of CASES: more candidates end near the line.
  const stricter = await Promise.all(STREAMS.map(async (stream) => ({ name: stream.name, all: total(await Promise.all(SUITE.filter((p) => !p.minimize).map((p) => raceProblem(p, stream, STRICTER)))) })));
  stricter.push({ name: 'both', all: total(stricter.map((s) => s.all)) });
  const line = (name: string, t: Tally): string =>
    `| ${name} | ${t.candidates} | ${(t.raceRuns / t.candidates).toFixed(1)} | ${fewer(t)} | ${t.lostByRace} of ${t.foundByFull} (${percent(t.lostByRace, t.foundByFull)}) | ${t.fullImprovementsStopped} of ${t.fullImprovements} (${percent(t.fullImprovementsStopped, t.fullImprovements)}) | ${t.letThrough} |`;
  const table = [
    `| proposals, problem | candidates | case runs per candidate, raced (full: ${CASES}) | fewer case runs | true improvements lost | improvements by full grading that racing stopped | worse candidates let through |`,
    '|---|---|---|---|---|---|---|',
    ...streams.flatMap((s) => [...s.rows.map((r) => line(`${s.name}, ${r.problem.name}`, r.t)), line(`**${s.name}, all**`, s.all)]),
    line('**both, all**', all),
  ].join('\n');
  const stricterTable = [
    `| proposals, at objective.minDelta ${STRICTER} | case runs per candidate, raced | fewer case runs | true improvements lost | improvements by full grading that racing stopped |`,
    '|---|---|---|---|---|',
    ...stricter.map(({ name, all: t }) => `| ${name} | ${(t.raceRuns / t.candidates).toFixed(1)} | ${fewer(t)} | ${t.lostByRace} of ${t.foundByFull} (${percent(t.lostByRace, t.foundByFull)}) | ${t.fullImprovementsStopped} of ${t.fullImprovements} (${percent(t.fullImprovementsStopped, t.fullImprovements)}) |`),
  ].join('\n');
  const strict = stricter[stricter.length - 1]!.all;
  const bands = [
    `| true change of the pass rate against the parent | ${streams.map((s) => `${s.name}: share of candidates | case runs, raced`).join(' | ')} |`,
    `|---|${streams.map(() => '---|---').join('|')}|`,
    ...BANDS.map(({ label }) => {
      const cells = streams.map((s) => {
        const b = s.all.byChange.get(label)!;
        return `${percent(b.candidates, s.all.candidates)} | ${(b.raceRuns / Math.max(1, b.candidates)).toFixed(1)}`;
      });
      return `| ${label} | ${cells.join(' | ')} |`;
    }),
  ].join('\n');
  const [search, random] = streams.map((s) => s.all) as [Tally, Tally];
  const nearShare = (t: Tally): number => BANDS.slice(2).reduce((n, { label }) => n + t.byChange.get(label)!.candidates, 0) / t.candidates;
  return `${RACE_HEADING}

Made by \`npm run bench:race\` on ${new Date().toISOString().slice(0, 10)}. At equal proposals, each candidate graded in full and raced
against its parent (\`"race": true\`), on the same draws of its cases. Racing ran **${fewer(search)} fewer case runs per candidate on
the parameter search's proposals, ${fewer(random)} on random search's, ${fewer(all)} on both** (${(all.raceRuns / all.candidates).toFixed(1)} against ${CASES}). It lost
${all.lostByRace} of the ${all.foundByFull} true improvements that full grading found (${percent(all.lostByRace, all.foundByFull)}), and let no candidate through to review that
full grading would have rejected (${all.letThrough}): a candidate the race does not stop runs every case, and is judged on them
exactly as full grading judges it.

${table}

Which rule stopped them: ${WHYS.map((why) => `${all.stops[why]} ${STOP_NAMES[why]}`).join(', ')}. Of those the predicted chance stopped,
full grading would have taken ${all.unlikelyTaken} (${percent(all.unlikelyTaken, all.stops.unlikely)}).

With a stricter objective, an improvement must gain ${STRICTER} (${(STRICTER * CASES).toFixed(1)} of the ${CASES} cases), and more of the candidates full
grading takes end near that line, where the predicted chance may stop them. Racing then runs ${fewer(strict)} fewer case runs,
and loses ${percent(strict.lostByRace, strict.foundByFull)} of the true improvements.

${stricterTable}

Where the case runs are spared: by the candidate's true change against its parent. A clearly worse candidate is
stopped after a few batches; one within a few cases of its parent, or better, cannot be told from a small improvement
on ${CASES} cases by any rule that keeps full grading's decisions, and runs most of them. The figure per candidate therefore
rests on how many proposals break what their parent did: ${(100 * nearShare(search)).toFixed(0)}% of the parameter search's candidates are within 0.03
of their parent or better, against ${(100 * nearShare(random)).toFixed(0)}% of random search's.

${bands}

Method (\`bench/race.ts\`): two streams of proposals, the parameter search's (\`src/core/propose/parameterSearch.ts\`) and
random search's (\`bench/searchBench.ts\`), ${ITERATIONS} per run over ${SEEDS} seeds of each maximized problem of
\`bench/numericSuite.ts\`, made by the loop of \`bench/knobLoop.ts\`. Each problem's score becomes an eval of ${CASES} cases:
case j passes with probability σ((score − d_j)/${SHARPNESS}), difficulties d_j spread evenly over [0, 1], drawn anew at each
grading (an agent whose answers vary). A version's grading is the full one it got as a candidate (the start's is
drawn once), and each child is raced against its parent's by the \`race\` function that the evaluator runs: batches of
${batchSize(CASES)}, the cases the run's other gradings disagreed on first (\`src/core/grade/caseHistory.ts\`, fed as the loop's
population feeds it, the parent's own left out), the rest in the stratified order; the
certain stop, the sign test at ${DEFAULT_ERROR_RATE * 100}% over the race, and the predicted chance of gaining under ${DEFAULT_FUTILITY * 100}%, with
objective.minDelta 0. A true improvement is a candidate whose expected pass rate is above its parent's; one is lost
when full grading took it as an improvement and the race stopped it.
`;
}

if (require.main === module) {
  void raceSection().then((section) => writeSection(path.join(ROOT, 'BENCHMARKS.md'), RACE_HEADING, section));
}
