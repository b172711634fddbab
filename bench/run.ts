// `npm run bench`: figures that are targets, not tests. Prints them and writes BENCHMARKS.md.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODE_SERVER_VERSION } from '../scripts/setup-code-server.mjs';
import { Store } from '../src/core/record/store';
import type { RunRecord } from '../src/core/record/records';
import { proposerCost, type ProposerCost } from './proposerCost';
import { RUN_ITERATIONS, storeTimes } from './storeScale';
import { CLI, copyExample, ROOT, SEEDED } from '../test/helpers';
import { scale, timeCommand } from './scale';
import { slurmFigures, slurmRows } from './slurm';
import { searchSection } from './searchBench';
import { gatewayFigures, gatewaySection } from './gateway';
import { raceSection } from './race';
import { activationSeries, summary } from './activation';

/** What the cascade and the caches spared on the example workspace, in a run of 10 candidates. */
function savingsOnExample(): RunRecord['savings'] & { candidates: number } {
  const workspace = copyExample(SEEDED);
  timeCommand(process.execPath, [CLI, 'run', '--iterations', '10'], workspace);
  const run = new Store(workspace).runs()[0]!;
  return { ...run.savings, candidates: new Store(workspace).candidates().length };
}

/** Activations timed for the figure: each costs a window of code-server, and a busy machine spreads them. */
const ACTIVATION_RUNS = 9;

async function main(): Promise<void> {
  const candidates = 8;
  const scaled = scale(CLI, 2000, 1, candidates);
  const saved = savingsOnExample();
  const rounds = 8;
  const store = storeTimes(10_000);
  const single = await proposerCost('single', rounds);
  const agent = await proposerCost('agent', rounds);
  const perProposal = (c: ProposerCost): string =>
    `${Math.round(c.meanInputTokens).toLocaleString('en-US')} input and ${Math.round(c.meanOutputTokens)} output tokens, $${c.meanCostUsd.toFixed(4)}, ${c.callsPerProposal} call(s)`;
  const vsixBytes = statSync(path.join(ROOT, 'aiai.vsix')).size;
  const { window: activations } = await activationSeries({ window: { trigger: 'window', folder: ROOT } }, ACTIVATION_RUNS);
  const slurm = slurmRows(slurmFigures(candidates));
  const search = await searchSection();
  const gateway = gatewaySection(await gatewayFigures());
  const raced = await raceSection();
  const figures = [
    [`the loop's own time per candidate: 2,000-file repository, 1 s eval, ${candidates} candidates, --parallel 1 (target ≤ 250 ms)`, `${scaled.overheadMs.toFixed(0)} ms`],
    ['floor: a bare `git worktree add` + `git worktree remove` of that repository', `${scaled.floorMs.toFixed(0)} ms`],
    ['ratio of the loop\'s time per candidate to the floor', `${(scaled.overheadMs / scaled.floorMs).toFixed(2)}`],
    [`wall time of ${candidates} candidates, --parallel 1 vs --parallel 2 (target ≥ 1.7×)`, `${(scaled.wallP1Ms / 1000).toFixed(2)} s vs ${(scaled.wallP2Ms / 1000).toFixed(2)} s: ${(scaled.wallP1Ms / scaled.wallP2Ms).toFixed(2)}× (at most 1.8× here: the baseline and 8 candidates are 9 evaluations, 5 rounds of 2)`],
    [`evaluations spared on the example (${saved.candidates} candidates, 3 evals each)`, `${saved.skippedEvals} evals skipped by the cascade (${(saved.skippedEvalMs / 1000).toFixed(1)} s at baseline durations), ${saved.reusedEvaluations} evaluations reused, ${saved.duplicates} duplicates refused`],
    [`input tokens read from the prompt cache, rounds 2..${rounds} (model proposer in single mode, example workspace; target ≥ 0.9)`, `${single.share.toFixed(3)} (per round: ${single.perRound.map((r) => r.toFixed(2)).join(', ')})`],
    [`input tokens read from the prompt cache over the turns of agent conversations, rounds 2..${rounds} (agent mode, 5 turns each; target ≥ 0.9)`, `${agent.share.toFixed(3)} (per round: ${agent.perRound.map((r) => r.toFixed(2)).join(', ')})`],
    ['tokens and cost per proposal, single mode (Sonnet list prices)', perProposal(single)],
    ['tokens and cost per proposal, agent mode (read, show failures, edit, run evals, submit)', perProposal(agent)],
    [`\`aiai list\` on a store of ${store.candidates.toLocaleString('en-US')} candidates, median of 5 (target ≤ 300 ms)`, `${store.list.toFixed(0)} ms`],
    [`\`aiai show ID\` on that store (target ≤ 150 ms)`, `${store.show.toFixed(0)} ms`],
    [`\`aiai versions\` on that store (target ≤ 150 ms)`, `${store.versions.toFixed(0)} ms`],
    [`\`aiai run --iterations ${RUN_ITERATIONS}\` on the example, with an empty store vs that store (a run's start and each candidate's overhead should not grow with the store)`, `${(store.runEmpty / 1000).toFixed(2)} s vs ${(store.runFull / 1000).toFixed(2)} s`],
    ['`aiai --help` against a bare `node -e 0` (target: within 40 ms)', `${store.help.toFixed(0)} ms vs ${store.node.toFixed(0)} ms: +${(store.help - store.node).toFixed(0)} ms`],
    ['packaged extension (aiai.vsix)', `${(vsixBytes / 1024).toFixed(1)} KiB`],
    [`activation, median of ${ACTIVATION_RUNS} (loading the bundle and extension.activate() in the extension host, as the window opens)`, summary(activations!)],
    ...slurm,
  ];
  for (const [name, value] of figures) console.log(`${name}: ${value}`);

  const kept = keptSection(path.join(ROOT, 'BENCHMARKS.md'));
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, code-server ${CODE_SERVER_VERSION} (VS Code 1.96)`;
  writeFileSync(
    path.join(ROOT, 'BENCHMARKS.md'),
    `# Benchmarks

Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.

| figure | value |
|---|---|
${figures.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}

Method: the loop's time per candidate is measured from outside: \`aiai run --iterations
${candidates}\` on a generated repository of 2,000 files whose one eval sleeps 1 s, timed as a
whole process, less the duration of every eval command (from the run's records), over
${candidates}; it includes the CLI's start, the baseline's checkout, proposing, building each
candidate's commit, its checkout and clean-up, the sandbox, grading and recording. The
floor is the median of 7 bare \`git worktree add\` + \`git worktree remove\` in the same
folder aiai uses (on disk: the system temp folder). The parallel figure runs the same on a
fresh copy with \`--parallel 2\`.

The Slurm figures run \`aiai run --iterations ${candidates}\` on a generated repository of 200 files
whose config has three evals of 0.5 s each, as users write them: a gate, the train eval of
the objective, and a holdout (which the cascade runs for an improvement only, hence about 2
eval runs per candidate), with the local executor and with \`"executor": { "kind": "slurm" }\`
on a single-node Slurm of this machine (\`scripts/slurm-cluster.sh\`, Debian's Slurm 22.05).
Each eval is a job, and its wait to start counts as the loop's time. By default srun
submits it and slurmctld allocates it on the spot; with \`"submit": "sbatch"\` it is a batch
job, which slurmctld starts only at its next once-a-second pass (a job's submission, its
release from a hold and a dependency's end all wait for that pass, whatever
SchedulerParameters say), about 0.5 s per eval on average. Each figure is the median of 3
runs on fresh copies; the parallel figure is on that two-CPU node.

The store figures time each command as a whole process on a store of
${store.candidates.toLocaleString('en-US')} real candidate records (a run of the parameter search on the example, its
records copied into runs of 100 with ids and times of their own, about 12 KB each), after
one warm-up run that builds the summary cache.

The prompt-cache share is measured against the loopback Messages API server of
the tests (\`test/fixtures/messagesServer.ts\`), which counts 4 characters a token and
caches the prefix up to the last \`cache_control\` marker, as the API does; the model
proposer runs ${rounds} rounds on the example workspace, and the share is cache reads over
all input tokens of rounds 2..${rounds}. In agent mode each round is a conversation of 5
turns (read a file, show the failures, edit, run the evals, submit); every turn's input
counts. The size is that of the \`.vsix\` \`npm run package\` makes (the extension, the
review panel's bundle and the schema; no node_modules, everything is bundled by esbuild).
Activation is timed inside a real VS Code extension host (code-server, with the
extension loaded from this folder and a small agent workspace open, a fresh window each
time; \`bench/activation.ts\`): VS Code's own marks of the extension's activation (those
Developer: Show Running Extensions shows), the \`activate()\` call and loading the bundle
before it. The extension activates as the window opens on a workspace that has
\`.aiai/config.json\` (so the status bar can say what awaits review), and otherwise on
its first command or view. What it loads then is \`dist/extension.js\`: the commands,
views, panel serializers and status bar over the store's records; the engine (the loop,
grading, the proposers, decisions, the panels' host side) is \`dist/extension-engine.js\`,
loaded at its first use (a command, a panel, the config).

${kept}${gateway}
${raced}
${search}`,
  );
}

/**
 * The section of BENCHMARKS.md that compares a commit with an earlier one on one
 * machine ("## Before and after ..."): measured apart (see its text), kept as it is.
 */
function keptSection(file: string): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = text.indexOf('\n## Before and after');
  if (at < 0) return '';
  const end = text.indexOf('\n## ', at + 1);
  return `${text.slice(at + 1, end < 0 ? undefined : end).trimEnd()}\n\n`;
}

void main();
