import { SEARCH_HEADING } from './benchmarksFile';
import type { SearchStrategy } from '../src/core/config/config';
import { writeKnobValue } from '../src/core/config/knobs';
import { seededRandom } from '../src/core/common/random';
import { KnobSpace, type Point } from '../src/core/propose/knobSpace';
import { ParameterSearch } from '../src/core/propose/parameterSearch';
import type { Edit } from '../src/core/propose/edits';
import type { ProposalOutcome, ProposalRequest, Proposer } from '../src/core/propose/proposer';
import { knobLoop } from './knobLoop';
import { SUITE, type Problem } from './numericSuite';

/** Random search on the knobs' grid, drawn without repeats: the yardstick. */
export class RandomSearch implements Proposer {
  readonly name = 'random-search';
  private readonly space: KnobSpace;
  private readonly random: () => number;
  private readonly drawn = new Set<string>();

  constructor(private readonly problem: Problem, seed: number) {
    this.space = new KnobSpace(problem.knobs);
    this.random = seededRandom(seed);
  }

  async propose(request: ProposalRequest): Promise<ProposalOutcome> {
    let point: Point;
    do point = this.space.axes.map((a) => Math.floor(this.random() * a.levels));
    while (this.drawn.has(this.space.key(point)));
    this.drawn.add(this.space.key(point));
    const edits: Edit[] = [];
    for (const file of new Set(this.problem.knobs.map((k) => k.file))) {
      const before = (await request.readFile(request.parent.commit, file))!;
      let after = before;
      this.problem.knobs.forEach((knob, i) => {
        if (knob.file === file) after = writeKnobValue(knob, after, this.space.valueAt(i, point[i]!));
      });
      if (after !== before) edits.push({ path: file, search: before, replace: after });
    }
    return { kind: 'proposal', proposal: { title: 'a random point', rationale: 'random search', edits } };
  }
}

type Method = 'random' | SearchStrategy;

interface Cell {
  mean: number;
  sd: number;
}

/** The true scores of runs of one method on one problem, one per seed, and the start's. */
async function scores(problem: Problem, method: Method, iterations: number, seeds: number): Promise<{ best: number[]; start: number }> {
  const best: number[] = [];
  let start = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const proposer = method === 'random' ? new RandomSearch(problem, seed) : new ParameterSearch(problem.knobs, seed);
    const result = await knobLoop(problem, proposer, { iterations, strategy: method === 'random' ? 'greedy' : method, seed });
    best.push(result.best);
    start = result.start;
  }
  return { best, start };
}

function cell(values: number[]): Cell {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, sd: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1)) };
}

const COLUMNS: Array<{ label: string; method: Method; iterations: number }> = [
  { label: 'random, 20', method: 'random', iterations: 20 },
  { label: 'search, 20', method: 'greedy', iterations: 20 },
  { label: 'search + archive, 20', method: 'archive', iterations: 20 },
  { label: 'search + tree, 20', method: 'tree', iterations: 20 },
  { label: 'random, 50', method: 'random', iterations: 50 },
  { label: 'search, 50', method: 'greedy', iterations: 50 },
];
const SEEDS = 30;

/** Runs the suite and returns BENCHMARKS.md's section on it. */
export async function searchSection(log: (line: string) => void = console.log): Promise<string> {
  const rows: Array<{ problem: Problem; cells: Cell[]; start: number }> = [];
  for (const problem of SUITE) {
    const cells: Cell[] = [];
    let start = 0;
    for (const column of COLUMNS) {
      const result = await scores(problem, column.method, column.iterations, SEEDS);
      cells.push(cell(result.best));
      start = result.start;
    }
    rows.push({ problem, cells, start });
    log(`${problem.name}: ${cells.map((c, i) => `${COLUMNS[i]!.label} ${c.mean.toFixed(3)}`).join(', ')}`);
  }
  const averages = COLUMNS.map((_, i) => rows.reduce((a, r) => a + r.cells[i]!.mean, 0) / rows.length);
  const shown = (c: Cell): string => `${c.mean.toFixed(3)} ± ${c.sd.toFixed(3)}`;
  const table = [
    `| problem | knobs | start | ${COLUMNS.map((c) => c.label).join(' | ')} |`,
    `|---|---|---|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map(({ problem, cells, start }) => `| ${problem.name}: ${problem.about} | ${problem.knobs.length} | ${start.toFixed(3)} | ${cells.map(shown).join(' | ')} |`),
    `| **average** | | | ${averages.map((a) => `**${a.toFixed(3)}**`).join(' | ')} |`,
  ].join('\n');
  const behind = rows.filter((r) => r.cells[1]!.mean < r.cells[0]!.mean).map((r) => r.problem.name);
  return `${SEARCH_HEADING}

Made by \`npm run bench\` (or alone, \`npm run bench:search\`) on ${new Date().toISOString().slice(0, 10)}. Each problem's score is at most 1 (its
optimum); the figures are the mean and standard deviation over ${SEEDS} seeds of the score of the best version a run
found, at equal budgets of 20 and 50 candidates after the start. At 20 candidates the search is ahead of random search
by ${(averages[1]! - averages[0]!).toFixed(3)} on average, ${behind.length === 0 ? 'and behind it on no problem' : `and behind it on ${behind.join(', ')}`}.

${table}

Method: the problems are made for this benchmark (\`bench/numericSuite.ts\`): 2, 3, 4, 5, 8 and 16 knobs; floats on fine
grids, integers, string and number choices, and a float written to two places of a file (\`"all": true\`); smooth,
noisy (a normal draw added to each run of the eval, measured by \`repeats\` 3, or unmeasured with \`repeats\` 1), a
plateau of accuracy steps that is flat far from the optimum, two knobs that only pay when raised together, and a sharp
peak on a broad hill. To be fast the runs are in-process, not through git: \`bench/knobLoop.ts\` drives the same
\`ParameterSearch\` class the loop uses through its real \`ProposalRequest\` (the parent's train score and noise, the
history of attempts with their scores), with the loop's own parent selection and verdict; the proposal's edits are
applied to the parent's files held in memory and its knobs read back and scored. Random search draws points of the
knobs' grids uniformly, without repeats, through the same loop. A run's result is the true (noise-free) score of the
version with the best measured score, as a person would approve it; the start counts. The archive and tree columns
run the search with those search strategies: the search takes its steps from the best point so far whatever version
the strategy builds on, and uses the strategy's pick to restart from once steps there are used up.
`;
}
