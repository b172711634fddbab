import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { readTextIfExists } from '../common/files';

/**
 * A project laid out for OpenEvolve or ShinkaEvolve, which `aiai init` can take
 * as it is: a program with EVOLVE-BLOCK markers beside the evaluator that scores it.
 */
export interface PeerLayout {
  kind: 'openevolve' | 'shinka';
  /** For people: "OpenEvolve", "ShinkaEvolve". */
  label: string;
  program: string;
  evaluator: string;
  /** The peer's own config files, protected with the evaluator. */
  configFiles: string[];
  /** The metric to improve, and why that one. */
  objective: { metric: string; why: string } | undefined;
  /** Why the evaluation is taken to be stochastic, if it is. */
  stochastic: string | undefined;
  timeoutSec: number;
}

const DEFAULT_TIMEOUT_SEC = 300;
/** Keys of a metrics dict that are not metrics to improve. */
const NOT_OBJECTIVES = new Set(['error', 'errors', 'public', 'private', 'text_feedback', 'artifacts', 'correct']);

/**
 * OpenEvolve: `initial_program.*` and `evaluator.py` defining `evaluate(program_path)`,
 * with an optional `config.yaml`. ShinkaEvolve: `initial.*` and `evaluate.py`, run as
 * `evaluate.py --program_path … --results_dir …` (its `main`, often through
 * `run_shinka_eval`), with optional `shinka*.yaml` run configs.
 */
export function detectPeerLayout(workspace: string): PeerLayout | undefined {
  const files = readdirSync(workspace);
  const openEvolve = programIn(files, 'initial_program');
  const evaluatorPy = readTextIfExists(path.join(workspace, 'evaluator.py'));
  if (openEvolve && evaluatorPy !== undefined && /^def evaluate\s*\(/m.test(evaluatorPy)) {
    const config = readTextIfExists(path.join(workspace, 'config.yaml'));
    return {
      kind: 'openevolve',
      label: 'OpenEvolve',
      program: openEvolve,
      evaluator: 'evaluator.py',
      configFiles: config === undefined ? [] : ['config.yaml'],
      objective: objectiveOf(evaluatorPy),
      stochastic: stochasticWhy(workspace, openEvolve, 'evaluator.py'),
      timeoutSec: (config === undefined ? undefined : yamlEvaluatorTimeout(config)) ?? DEFAULT_TIMEOUT_SEC,
    };
  }
  const shinka = programIn(files, 'initial');
  const evaluatePy = readTextIfExists(path.join(workspace, 'evaluate.py'));
  if (shinka && evaluatePy !== undefined && /run_shinka_eval|--program_path|def main\s*\(\s*program_path/.test(evaluatePy)) {
    return {
      kind: 'shinka',
      label: 'ShinkaEvolve',
      program: shinka,
      evaluator: 'evaluate.py',
      configFiles: files.filter((f) => /^shinka.*\.ya?ml$/.test(f)).sort(),
      objective: objectiveOf(evaluatePy),
      stochastic: stochasticWhy(workspace, shinka, 'evaluate.py'),
      timeoutSec: DEFAULT_TIMEOUT_SEC,
    };
  }
  return undefined;
}

/** `stem.py`, or else the first `stem.<ext>` (both tools evolve other languages too). */
function programIn(files: string[], stem: string): string | undefined {
  const candidates = files.filter((f) => f.startsWith(`${stem}.`) && !f.endsWith('.pyc')).sort();
  return candidates.find((f) => f === `${stem}.py`) ?? candidates[0];
}

/**
 * Both tools rank programs by `combined_score`; an evaluator that never names it
 * gets the first metric its source returns, and init says so.
 */
function objectiveOf(evaluator: string): PeerLayout['objective'] {
  if (/["']combined_score["']/.test(evaluator)) return { metric: 'combined_score', why: 'the evaluator reports combined_score' };
  const returned = /(?:return\s*\(?|metrics\s*=\s*)\{\s*["'](\w+)["']\s*:/.exec(evaluator)?.[1];
  const first = returned ?? [...evaluator.matchAll(/["'](\w+)["']\s*:/g)].map((m) => m[1]!).find((k) => !NOT_OBJECTIVES.has(k));
  return first === undefined ? undefined : { metric: first, why: `the evaluator never names combined_score; "${first}" is the first metric in its source` };
}

/** Read from the source, never by running it: init runs none of the project's code. */
function stochasticWhy(workspace: string, ...files: string[]): string | undefined {
  for (const file of files) {
    const text = readTextIfExists(path.join(workspace, file)) ?? '';
    if (/\brandom\b|default_rng|\brandn?\s*\(|\bshuffle\s*\(/.test(text)) return `${file} draws random numbers`;
  }
  return undefined;
}

/** `evaluator:` → `timeout:` in OpenEvolve's config.yaml, read without a YAML parser (one nested key). */
function yamlEvaluatorTimeout(yaml: string): number | undefined {
  const lines = yaml.split('\n');
  const start = lines.findIndex((l) => /^evaluator:\s*(#.*)?$/.test(l));
  if (start === -1) return undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const timeout = /^\s+timeout:\s*(\d+(?:\.\d+)?)\s*(#.*)?$/.exec(line)?.[1];
    if (timeout !== undefined) return Math.max(1, Math.ceil(Number(timeout)));
  }
  return undefined;
}
