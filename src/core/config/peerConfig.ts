import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { proposeKnobs, type ProposedKnob } from './constantKnobs';
import { evolveBlocks } from './evolveBlocks';
import { PEER_ADAPTER_FILE, peerEvalCommand, writePeerAdapter } from './peerAdapter';
import type { PeerLayout } from './peerLayouts';
import { peerTask } from './peerTask';
import { checkKnob, PeerTrials, type Trial, type TrialSandbox } from './peerTrials';
import { pinnedBy } from './pinnedValues';
import { formatNumber } from '../../shared/format';
import { inline, list } from './configText';

/** Seeds of the first train and holdout runs; each repeat takes the next seed. */
const TRAIN_SEED = 1;
const HOLDOUT_SEED = 1001;
/** Runs per evaluation of a stochastic evaluator: enough for a spread, few enough for a quick loop. */
const STOCHASTIC_REPEATS = 3;
/** Candidates per run; patience is as many, since a run's first tries rarely improve and stopping there ends it before the search has begun. */
const ITERATIONS = 10;
/** Where init copies the peer's task description: outside .aiai/ (which no model sees), a context file. */
export const TASK_FILE = 'TASK.md';

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

/**
 * Writes the adapter (and the task description, when the peer gives one) and returns
 * the config for a peer's project, with what was decided. The guesses read from the
 * source (knobs, whether scores vary) are then checked on the real evaluator, in
 * `sandbox` when one is given.
 */
export async function peerInit(workspace: string, layout: PeerLayout, hasReadme: boolean, sandbox?: TrialSandbox, progress?: (line: string) => void): Promise<PeerInit> {
  writePeerAdapter(workspace);
  const programText = readFileSync(path.join(workspace, layout.program), 'utf8');
  const evaluatorText = readFileSync(path.join(workspace, layout.evaluator), 'utf8');
  const metric = layout.objective?.metric ?? 'combined_score';
  const checkNotes: string[] = [];
  const unpinned = proposeKnobs(layout.program, programText).filter((knob) => {
    const pin = pinnedBy(evaluatorText, knob.name, knob.value);
    if (pin) checkNotes.push(`${knob.name} = ${knob.value} (${knob.file} line ${knob.line}): not a knob; ${layout.evaluator} pins it, ${pin}`);
    return !pin;
  });
  // The checks run the person's evaluator a few dozen times: say so before the wait.
  const runs = 2 + (layout.cascade ? 1 : 0) + 2 * unpinned.length;
  progress?.(
    `checking the guesses on ${layout.evaluator}: the program as it is on two seeds${layout.cascade ? ', its stage 1' : ''}, and ${unpinned.length} knob${unpinned.length === 1 ? '' : 's'} one step each way (up to ${runs} evaluations of up to ${layout.timeoutSec} s)…`,
  );
  const checked = await checkOnEvaluator(new PeerTrials(workspace, layout, metric, sandbox), layout, metric, unpinned, programText);
  const knobs = checked.knobs;
  const varies = checked.seeds.varies;
  const seeds = (first: number): string => `${first}–${first + STOCHASTIC_REPEATS - 1}`;
  const gateMin = layout.cascade ? stageOneMin(layout.cascade.threshold, checked.stage1) : undefined;
  const gate =
    gateMin !== undefined
      ? [{ name: 'stage1', command: peerEvalCommand(layout, TRAIN_SEED, true), timeoutSec: layout.timeoutSec, gate: { metric: 'combined_score', min: gateMin } }]
      : [];
  const train = { name: 'train', command: peerEvalCommand(layout, TRAIN_SEED), timeoutSec: layout.timeoutSec, ...(varies ? { repeats: STOCHASTIC_REPEATS } : {}) };
  const holdout = varies
    ? [{ name: 'holdout', command: peerEvalCommand(layout, HOLDOUT_SEED), timeoutSec: layout.timeoutSec, repeats: STOCHASTIC_REPEATS, holdout: true }]
    : [];
  const task = peerTask(workspace, layout);
  const taskWritten = task !== undefined && !existsSync(path.join(workspace, TASK_FILE));
  if (taskWritten) writeFileSync(path.join(workspace, TASK_FILE), taskText(layout, task.from, task.text));
  const result = {
    editable: [layout.program],
    protected: [layout.evaluator, ...layout.configFiles],
    context: [...(hasReadme ? ['README.md'] : []), ...(taskWritten ? [TASK_FILE] : [])],
  };
  const parsed = evolveBlocks(programText);
  const marked = parsed.ok && parsed.blocks.length > 0 ? parsed.blocks : undefined;
  const region = marked ? `between its EVOLVE-BLOCK markers (lines ${marked.map((b) => `${b.start}–${b.end}`).join(', ')})` : 'as a whole (it has no EVOLVE-BLOCK markers)';
  const notes = [
    `${layout.label} layout: ${layout.program} may change ${region}; ${result.protected.join(', ')} ${result.protected.length > 1 ? 'are' : 'is'} protected`,
    `eval: ${PEER_ADAPTER_FILE} runs ${layout.evaluator} on the program, with stand-ins for the ${layout.kind} package if it is not installed`,
    layout.objective ? `objective: ${metric}, as ${layout.objective.why}` : `objective: ${metric}; no metric name was found in ${layout.evaluator}: check "objective.metric"`,
    ...(layout.cascade ? [gateNote(layout.cascade, checked.stage1)] : []),
    varies
      ? `${checked.seeds.why}: train runs seeds ${seeds(TRAIN_SEED)}, holdout seeds ${seeds(HOLDOUT_SEED)}, which no proposer sees`
      : `${checked.seeds.why}: one train run, seed ${TRAIN_SEED}, and no holdout`,
    ...checkNotes,
    ...checked.notes,
    knobs.length > 0
      ? `knobs: ${knobs.map((k) => `${k.name} = ${k.value} (${k.min}..${k.max}, step ${k.step})`).join(', ')}; the ranges are guesses around each value`
      : `no knob left in the evolve block: the parameter search has nothing to move; use a model proposer ("proposer": { "kind": "anthropic" })`,
    task
      ? taskWritten
        ? `task: ${task.from} copied to ${TASK_FILE}, a context file a model proposer reads; commit it with .aiai/`
        : `task: ${TASK_FILE} exists, so the task description in ${task.from} was not copied; a model proposer does not see ${task.from}`
      : `task: no task description found (${layout.kind === 'openevolve' ? `prompt.system_message in ${layout.config ?? 'config.yaml'}` : 'task_sys_msg in run_evo.py'}); a model proposer reads the program and the context files only`,
    `checked on the real evaluator: ${checked.cost}`,
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
  // Read-only files a model proposer is shown for context${taskWritten ? `; ${TASK_FILE} holds the task description\n  // from ${task.from}, which the proposer could not see there` : ''}.
  "context": ${list(result.context)},
  // ${PEER_ADAPTER_FILE} runs ${layout.evaluator} on the program as ${layout.label} would and turns
  // its result into aiai's metrics: numbers become metrics; artifacts, text feedback and other
  // values become feedback. It needs no ${layout.kind} package. Commit it with this config:
  // evaluations see committed files only. --seed seeds Python's and numpy's random
  // generators (plus the repeat number, AIAI_REPEAT, minus one).${layout.cascade ? `\n  // stage1 is OpenEvolve's cascade: evaluate_stage1 first, and a candidate below ${gateMin}\n  // (${gateMin === layout.cascade.threshold ? layout.cascade.why : 'what the program as it is scores there'}) goes no further.` : ''}
  "evals": [
${[...gate, train, ...holdout].map((e) => `    ${inline(e)}`).join(',\n')}
  ],${varies ? `\n  // Scores differ between seeds, so train and holdout draw different ones: a change tuned\n  // to the train draws shows up as overfit on holdout.` : ''}
  "objective": { "eval": "train", "metric": ${JSON.stringify(metric)}, "direction": "maximize", "minDelta": 0 },
  // Numbers inside the evolve block, for the built-in parameter search: named constants, and
  // decimals inside expressions (named by line and column). Each range is a guess around the
  // current value (a quarter to four times it), cut where a step broke the evaluator: narrow it
  // as you know best. Init left out the numbers the evaluator pins or does not see change.
  "knobs": [${knobs.map(({ name, file, pattern, min, max, step }) => `\n    ${inline({ name, file, pattern, min, max, step })}`).join(',')}${knobs.length > 0 ? '\n  ' : ''}],
  "proposer": { "kind": "parameter-search" },
  // Candidates per run, and how many in a row may fail to improve before the run stops.
  // Patience is as large as the iterations: the first tries rarely improve.
  "budget": { "iterations": ${ITERATIONS}, "patience": ${ITERATIONS} },
  "parallel": 1
}
`;
  return { configText, evalCommand: train.command, ...result, knobs, notes };
}

interface Checked {
  seeds: { varies: boolean; why: string };
  stage1: Trial | undefined;
  knobs: ProposedKnob[];
  notes: string[];
  cost: string;
}

/**
 * Runs the program as it is on two seeds (repeats only where the scores differ), the
 * cascade's stage 1, and each knob one step each way. An evaluator that fails on the
 * program as it is leaves every guess unchecked, and says so.
 */
async function checkOnEvaluator(trials: PeerTrials, layout: PeerLayout, metric: string, guessed: ProposedKnob[], programText: string): Promise<Checked> {
  try {
    const first = await trials.run(TRAIN_SEED);
    if (!first.ok) {
      return {
        seeds: { varies: false, why: `the evaluator failed on the program as it is (${first.why}), so init checked nothing` },
        stage1: undefined,
        knobs: guessed,
        notes: [],
        cost: `${trials.cost()} (the program as it is, which failed), ${trials.where()}`,
      };
    }
    const second = await trials.run(TRAIN_SEED + 1);
    const varies = second.ok && second.score !== first.score;
    const why = varies
      ? `${metric} differs between seeds ${TRAIN_SEED} and ${TRAIN_SEED + 1} (${formatNumber(first.score)}, ${formatNumber((second as { score: number }).score)})`
      : second.ok
        ? `${metric} is the same on seeds ${TRAIN_SEED} and ${TRAIN_SEED + 1} (${formatNumber(first.score)})`
        : `the evaluator failed on seed ${TRAIN_SEED + 1} (${second.why}) after scoring ${formatNumber(first.score)} on seed ${TRAIN_SEED}`;
    const stage1 = layout.cascade ? await trials.run(TRAIN_SEED, { stage1: true }) : undefined;
    const notes: string[] = [];
    const knobs: ProposedKnob[] = [];
    for (const knob of guessed) {
      const check = await checkKnob(trials, knob, programText, { seed: TRAIN_SEED, score: first.score }, metric);
      if (check.note) notes.push(check.note);
      if (check.kept) knobs.push(check.kept);
    }
    const cost = `${trials.cost()} (the program as it is on seeds ${TRAIN_SEED} and ${TRAIN_SEED + 1}${stage1 ? ', its stage 1' : ''}, and each knob one step each way), ${trials.where()}`;
    return { seeds: { varies, why }, stage1, knobs, notes, cost };
  } finally {
    trials.dispose();
  }
}

/**
 * The stage-1 gate's min: OpenEvolve's threshold, unless the program as it is scores
 * below it there, where the threshold would stop every candidate like the start; then
 * the program's own stage-1 score, so that only a candidate worse at stage 1 stops.
 */
function stageOneMin(threshold: number, stage1: Trial | undefined): number {
  return stage1?.ok && stage1.score < threshold ? Math.floor(stage1.score * 1e4) / 1e4 : threshold;
}

function gateNote(cascade: NonNullable<PeerLayout['cascade']>, stage1: Trial | undefined): string {
  const min = stageOneMin(cascade.threshold, stage1);
  if (stage1?.ok && min !== cascade.threshold) {
    return `gate: stage1 runs evaluate_stage1 first; the program as it is scores ${formatNumber(stage1.score)} there, below ${cascade.threshold} (${cascade.why}), which would stop every candidate like it: a candidate below ${min}, the program's own score, goes no further`;
  }
  const head = `gate: stage1 runs evaluate_stage1 first; a candidate below ${cascade.threshold} on combined_score (${cascade.why}) goes no further`;
  if (!stage1) return head;
  if (!stage1.ok) return `${head}; on the program as it is, stage 1 failed (${stage1.why})`;
  return `${head}; the program as it is scores ${formatNumber(stage1.score)} there`;
}

/** TASK.md: the peer's task description, with where it came from. */
function taskText(layout: PeerLayout, from: string, text: string): string {
  return `<!-- The task, as ${layout.label} gives it to its models (${from}), copied by \`aiai init\` for a
model proposer, which is shown this file. Edit it here: aiai does not read ${from}. -->

${text}
`;
}


