import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { readTextIfExists } from '../common/files';
import { yamlNumber, yamlNumbers, yamlString } from './peerYaml';

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
  /** OpenEvolve's config that init reads: `config.yaml`, or else the first `config*.yaml` (circle_packing's `config_phase_1.yaml`). */
  config?: string;
  /** The metric to improve, and why that one. */
  objective: { metric: string; why: string } | undefined;
  /** OpenEvolve's cascade: `evaluate_stage1` must reach `threshold` before the full evaluation runs. */
  cascade?: { threshold: number; why: string };
  timeoutSec: number;
}

const DEFAULT_TIMEOUT_SEC = 300;
/** OpenEvolve's default `evaluator.cascade_thresholds`; the first one gates stage 1. */
const OPENEVOLVE_THRESHOLDS = [0.5, 0.75, 0.9];
/** Keys of a metrics dict that are not metrics to improve. */
const NOT_OBJECTIVES = new Set(['error', 'errors', 'public', 'private', 'text_feedback', 'artifacts', 'correct']);

/**
 * OpenEvolve: `initial_program.*` and `evaluator.py` defining `evaluate(program_path)`,
 * with an optional `config.yaml`. ShinkaEvolve: `initial.*` and `evaluate.py`, run as
 * `evaluate.py --program_path … --results_dir …` (its `main`, often through
 * `run_shinka_eval`), with optional `shinka*.yaml` run configs and the `run_evo.py`
 * that launches it.
 */
export function detectPeerLayout(workspace: string): PeerLayout | undefined {
  const files = readdirSync(workspace);
  const openEvolve = programIn(files, 'initial_program');
  const evaluatorPy = readTextIfExists(path.join(workspace, 'evaluator.py'));
  if (openEvolve && evaluatorPy !== undefined && /^def evaluate\s*\(/m.test(evaluatorPy)) {
    const configFiles = files.filter((f) => /^config.*\.ya?ml$/.test(f)).sort();
    const configFile = configFiles.includes('config.yaml') ? 'config.yaml' : configFiles[0];
    const config = configFile === undefined ? undefined : readTextIfExists(path.join(workspace, configFile));
    const cascade = cascadeOf(evaluatorPy, config ?? '', configFile ?? 'config.yaml');
    return {
      kind: 'openevolve',
      label: 'OpenEvolve',
      program: openEvolve,
      evaluator: 'evaluator.py',
      configFiles,
      ...(configFile !== undefined ? { config: configFile } : {}),
      objective: /["']combined_score["']/.test(evaluatorPy)
        ? { metric: 'combined_score', why: 'the evaluator reports combined_score' }
        : { metric: 'combined_score', why: 'the evaluator reports no combined_score, and OpenEvolve then ranks programs by the mean of its metrics, which the adapter adds as combined_score' },
      ...(cascade ? { cascade } : {}),
      timeoutSec: Math.max(1, Math.ceil(yamlNumber(config ?? '', 'evaluator', 'timeout') ?? DEFAULT_TIMEOUT_SEC)),
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
      configFiles: files.filter((f) => /^shinka.*\.ya?ml$|^run_evo\.py$/.test(f)).sort(),
      objective: objectiveOf(evaluatePy),
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
 * OpenEvolve's cascade, which it runs when the evaluator defines `evaluate_stage1`
 * and `evaluator.cascade_evaluation` is not false: the first threshold gates stage 1.
 */
function cascadeOf(evaluator: string, config: string, configFile: string): PeerLayout['cascade'] {
  if (!/^def evaluate_stage1\s*\(/m.test(evaluator) || /^false$/i.test(yamlString(config, 'evaluator', 'cascade_evaluation') ?? '')) return undefined;
  const thresholds = yamlNumbers(config, 'evaluator', 'cascade_thresholds');
  return thresholds
    ? { threshold: thresholds[0]!, why: `the first of evaluator.cascade_thresholds in ${configFile}` }
    : { threshold: OPENEVOLVE_THRESHOLDS[0]!, why: `OpenEvolve's first default cascade threshold (${configFile} sets none)` };
}

/**
 * Shinka ranks programs by `combined_score`; an evaluator that never names it
 * gets the first metric its source returns, and init says so.
 */
function objectiveOf(evaluator: string): PeerLayout['objective'] {
  if (/["']combined_score["']/.test(evaluator)) return { metric: 'combined_score', why: 'the evaluator reports combined_score' };
  const returned = /(?:return\s*\(?|metrics\s*=\s*)\{\s*["'](\w+)["']\s*:/.exec(evaluator)?.[1];
  const first = returned ?? [...evaluator.matchAll(/["'](\w+)["']\s*:/g)].map((m) => m[1]!).find((k) => !NOT_OBJECTIVES.has(k));
  return first === undefined ? undefined : { metric: first, why: `the evaluator never names combined_score; "${first}" is the first metric in its source` };
}
