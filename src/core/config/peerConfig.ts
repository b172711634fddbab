import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { proposeKnobs, type ProposedKnob } from './constantKnobs';
import { evolveBlocks } from './evolveBlocks';
import { PEER_ADAPTER_FILE, peerEvalCommand, writePeerAdapter } from './peerAdapter';
import type { PeerLayout } from './peerLayouts';

/** Seeds of the first train and holdout runs; each repeat takes the next seed. */
const TRAIN_SEED = 1;
const HOLDOUT_SEED = 1001;
/** Runs per evaluation of a stochastic evaluator: enough for a spread, few enough for a quick loop. */
const STOCHASTIC_REPEATS = 3;

export interface PeerInit {
  configText: string;
  evalCommand: string;
  editable: string[];
  protected: string[];
  context: string[];
  knobs: ProposedKnob[];
  /** What init decided, for the person to check. */
  notes: string[];
}

/** Writes the adapter and returns the config for a peer's project, with what was decided. */
export function peerInit(workspace: string, layout: PeerLayout, hasReadme: boolean): PeerInit {
  writePeerAdapter(workspace);
  const programText = readFileSync(path.join(workspace, layout.program), 'utf8');
  const knobs = proposeKnobs(layout.program, programText);
  const seeds = (first: number): string => `${first}–${first + STOCHASTIC_REPEATS - 1}`;
  const train = { name: 'train', command: peerEvalCommand(layout, TRAIN_SEED), timeoutSec: layout.timeoutSec, ...(layout.stochastic ? { repeats: STOCHASTIC_REPEATS } : {}) };
  const holdout = layout.stochastic
    ? [{ name: 'holdout', command: peerEvalCommand(layout, HOLDOUT_SEED), timeoutSec: layout.timeoutSec, repeats: STOCHASTIC_REPEATS, holdout: true }]
    : [];
  const metric = layout.objective?.metric ?? 'combined_score';
  const result = {
    editable: [layout.program],
    protected: [layout.evaluator, ...layout.configFiles],
    context: hasReadme ? ['README.md'] : [],
  };
  const parsed = evolveBlocks(programText);
  const marked = parsed.ok && parsed.blocks.length > 0 ? parsed.blocks : undefined;
  const region = marked ? `between its EVOLVE-BLOCK markers (lines ${marked.map((b) => `${b.start}–${b.end}`).join(', ')})` : 'as a whole (it has no EVOLVE-BLOCK markers)';
  const notes = [
    `${layout.label} layout: ${layout.program} may change ${region}; ${result.protected.join(', ')} ${result.protected.length > 1 ? 'are' : 'is'} protected`,
    `eval: ${PEER_ADAPTER_FILE} runs ${layout.evaluator} on the program, with stand-ins for the ${layout.kind} package if it is not installed`,
    layout.objective ? `objective: ${metric}, as ${layout.objective.why}` : `objective: ${metric}; no metric name was found in ${layout.evaluator}: check "objective.metric"`,
    layout.stochastic
      ? `${layout.stochastic}: train runs seeds ${seeds(TRAIN_SEED)}, holdout seeds ${seeds(HOLDOUT_SEED)}, which no proposer sees`
      : `no random numbers found in ${layout.program} or ${layout.evaluator}: one train run, seed ${TRAIN_SEED}, and no holdout`,
    knobs.length > 0
      ? `knobs: ${knobs.map((k) => `${k.name} = ${k.value} (${k.min}..${k.max}, step ${k.step})`).join(', ')}; the ranges are guesses around each value`
      : `no numeric constant found in the evolve block: the parameter search has nothing to move; use a model proposer ("proposer": { "kind": "anthropic" })`,
    ...(parsed.ok ? [] : [`${layout.program} line ${parsed.line}: ${parsed.problem}; the guard refuses every edit to it until its markers pair up`]),
  ];
  const configText = `// aiai configuration for this ${layout.label} project, written by \`aiai init\`.
// Schema: schema/aiai-config.schema.json in the aiai extension.
{
  ${marked ? '// The program may change only between its EVOLVE-BLOCK-START and EVOLVE-BLOCK-END lines:\n  // the guard refuses any edit to a line outside them.' : '// The program; it has no EVOLVE-BLOCK markers, so a proposal may change all of it.'}
  "editable": ${list(result.editable)},
  // ${layout.kind === 'openevolve' ? 'The evaluator and OpenEvolve\'s config' : 'The evaluator and Shinka\'s run configs'}: no proposal may touch them, and evaluations
  // always see them as in the baseline. .aiai/** (the adapter with it) and .git/** always are.
  "protected": ${list(result.protected)},
  // Read-only files a model proposer is shown for context.
  "context": ${list(result.context)},
  // ${PEER_ADAPTER_FILE} runs ${layout.evaluator} on the program as ${layout.label} would and turns
  // its result into aiai's metrics: numbers become metrics; artifacts, text feedback and other
  // values become feedback. It needs no ${layout.kind} package. Commit it with this config:
  // evaluations see committed files only. --seed seeds Python's and numpy's random
  // generators (plus the repeat number, AIAI_REPEAT, minus one).
  "evals": [
${[train, ...holdout].map((e) => `    ${inline(e)}`).join(',\n')}
  ],${layout.stochastic ? `\n  // ${layout.stochastic}: train and holdout draw different seeds, so a change tuned to\n  // the train draws shows up as overfit on holdout.` : ''}
  "objective": { "eval": "train", "metric": ${JSON.stringify(metric)}, "direction": "maximize", "minDelta": 0 },
  // Numeric constants inside the evolve block, for the built-in parameter search. Each range
  // is a guess around the current value (a quarter to four times it): narrow it as you know best.
  "knobs": [${knobs.map(({ name, file, pattern, min, max, step }) => `\n    ${inline({ name, file, pattern, min, max, step })}`).join(',')}${knobs.length > 0 ? '\n  ' : ''}],
  "proposer": { "kind": "parameter-search" },
  // Candidates per run, and how many in a row may fail to improve before the run stops.
  "budget": { "iterations": 10, "patience": 6 },
  "parallel": 1
}
`;
  return { configText, evalCommand: train.command, ...result, knobs, notes };
}

function list(items: string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/** An object on one line, as the rest of the config is written. */
function inline(value: Record<string, unknown>): string {
  return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
}
