import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import {
  findNodeAtLocation,
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type Node,
  type ParseError,
} from 'jsonc-parser';
// The schema, compiled at build time (scripts/compile-schema.mjs) with verbose errors, so an unknown key can list the allowed ones.
import validateSchema from '../../../schema/validate.generated.cjs';
import { ConfigError, type ConfigProblem } from '../common/errors';
import type { Pricing } from '../common/modelPrices';
import { modelKeyNames, modelsWithDefaults, type ModelsConfig, type RawModels } from './models';
import { executorProblems, executorWithDefaults, type ExecutorConfig, type RawExecutor } from './executor';
import { pointerToPath } from './jsonPointer';
import { sandboxAccessProblems, type SandboxAccess } from './sandboxAccess';
import { evalProblems, evalWithDefaults, withSplitViews, type EvalSpec, type ListedEval, type RawEval } from './evals';
import { isChoiceKnob, patternProblem, type ChoiceKnob, type Knob, type RangeKnob } from './knobs';

export type { Knob } from './knobs';

export const CONFIG_DIR = '.aiai';
export const CONFIG_FILE = path.join(CONFIG_DIR, 'config.json');

export type { EvalFormat } from './evalFormat';
export type { EvalSpec, Gate } from './evals';

export interface Objective {
  eval: string;
  metric: string;
  direction: 'maximize' | 'minimize';
  minDelta: number;
}

export type { Pricing } from '../common/modelPrices';
export type { ModelsConfig, UpstreamConfig } from './models';

export interface ProposerConfig {
  kind: 'parameter-search' | 'anthropic';
  model?: string;
  /** "agent" (the default) works on a draft with tools; "single" answers with one propose_change call. */
  mode?: 'agent' | 'single';
  /** An ensemble drawn by weight, one model per proposal. */
  models?: Array<{ model: string; weight?: number }>;
  /** Most model turns and run_evals calls of one agent-mode proposal. */
  maxTurns?: number;
  maxEvalRuns?: number;
  baseUrl?: string;
  seed?: number;
  maxOutputTokens?: number;
  maxFileBytes?: number;
  timeoutSec?: number;
  maxRetries?: number;
  pricing?: Partial<Pricing>;
}

export interface Budget {
  iterations: number;
  patience?: number;
  /** What the proposer may spend. */
  maxCostUsd?: number;
  maxTokens?: number;
  maxMinutes?: number;
  /** What evaluations may spend on model calls, metered by the gateway. */
  maxEvalCostUsd?: number;
}

/**
 * How a run picks the version to change next:
 * - greedy: the best so far (a hill climb);
 * - archive: any valid version, drawn with a chance that rises with its score and
 *   falls with how many children it already has (Darwin Gödel Machine);
 * - tree: the version whose lineage has done best, with a bonus for lineages tried
 *   little (UCB over the tree of versions, as in Huxley-Gödel Machine).
 */
export type SearchStrategy = 'greedy' | 'archive' | 'tree';

export type SandboxMode = 'auto' | 'required' | 'off';

export interface SandboxConfig extends SandboxAccess {
  mode: SandboxMode;
  /** Whether evaluations may reach the network. */
  network: boolean;
  /** Data memory each evaluation process may use (RLIMIT_DATA). */
  memoryMb: number;
  /** Processes an evaluation may run at once. */
  maxProcesses: number;
}

export interface Config {
  /** Absolute path of the workspace (the folder holding `.aiai/`). */
  workspace: string;
  editable: string[];
  protected: string[];
  context: string[];
  evals: EvalSpec[];
  objective: Objective;
  knobs: Knob[];
  proposer: ProposerConfig;
  budget: Budget;
  parallel: number;
  shared: string[];
  /** The evals give the same results for the same files: an earlier run's baseline may be reused. */
  deterministic: boolean;
  sandbox: SandboxConfig;
  /** Where evaluations run. */
  executor: ExecutorConfig;
  search: { strategy: SearchStrategy };
  models: ModelsConfig;
}

/** Paths no proposal may ever touch, whatever the config says. */
export const ALWAYS_PROTECTED = ['.aiai/**', '.git/**'];

export function configPath(workspace: string): string {
  return path.join(workspace, CONFIG_FILE);
}

/**
 * Where a value of the config file stands (a path such as ["knobs", 1, "file"]),
 * for problems found later than loading: against the version a run changes.
 */
export function configLocation(workspace: string, location: Array<string | number>, message: string): ConfigProblem {
  const file = configPath(workspace);
  const text = readFileSync(file, 'utf8');
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  return locator(text, file)(root ? nodeAt(root, location).offset : 0, message);
}

/** Reads and checks `.aiai/config.json`; every problem carries file, line and column. */
export function loadConfig(workspace: string): Config {
  const file = configPath(workspace);
  if (!existsSync(file)) {
    throw new ConfigError([
      { file, line: 1, column: 1, message: `no aiai config here; run \`aiai init\` in ${workspace} to create one` },
    ]);
  }
  return parseConfig(readFileSync(file, 'utf8'), file, workspace);
}

/** The sandbox of a config that sets none (`aiai init` writes none). */
export const DEFAULT_SANDBOX: SandboxConfig = { mode: 'auto', network: false, memoryMb: 4096, maxProcesses: 256, env: [], readable: [] };

export function parseConfig(text: string, file: string, workspace: string): Config {
  const at = locator(text, file);
  const syntaxErrors: ParseError[] = [];
  const root = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  if (syntaxErrors.length > 0 || !root) {
    const problems = syntaxErrors.map((e) => at(e.offset, `invalid JSON: ${describeParseError(e)}`));
    throw new ConfigError(problems.length > 0 ? problems : [at(0, 'invalid JSON: the file is empty')]);
  }
  const raw: unknown = getNodeValue(root);
  if (!validateSchema(raw)) {
    throw new ConfigError(schemaProblems(validateSchema.errors ?? [], root, at));
  }
  const listed = (raw as RawConfig).evals.map(evalWithDefaults);
  const config = withDefaults(raw as RawConfig, workspace, listed);
  const problems = [
    ...semanticProblems(config, listed, root, at),
    ...executorProblems((raw as RawConfig).executor).map((p) => at(nodeAt(root, ['executor', ...p.location]).offset, p.message)),
    ...sandboxAccessProblems(config.sandbox, modelKeyNames(config.models)).map((p) => at((p.key ? keyNode : nodeAt)(root, ['sandbox', ...p.location]).offset, p.message)),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

type RawConfig = Omit<Partial<Config>, 'workspace' | 'evals' | 'objective' | 'knobs' | 'budget' | 'sandbox' | 'executor' | 'search' | 'models'> & {
  models?: RawModels;
  executor?: RawExecutor;
  search?: Partial<Config['search']>;
  sandbox?: Partial<SandboxConfig>;
  editable: string[];
  evals: RawEval[];
  objective: Omit<Objective, 'direction' | 'minDelta'> & Partial<Objective>;
  knobs?: Array<(Omit<RangeKnob, 'name'> | Omit<ChoiceKnob, 'name'>) & { name?: string }>;
  budget?: Partial<Budget>;
};

function withDefaults(raw: RawConfig, workspace: string, evals: ListedEval[]): Config {
  return {
    workspace,
    editable: raw.editable,
    protected: raw.protected ?? [],
    context: raw.context ?? [],
    evals: withSplitViews(evals),
    objective: { direction: 'maximize', minDelta: 0, ...raw.objective },
    knobs: (raw.knobs ?? []).map((k, i) => ({ ...k, name: k.name ?? defaultKnobName(k, i) })),
    proposer: raw.proposer ?? { kind: 'parameter-search' },
    budget: { iterations: 10, ...raw.budget },
    parallel: raw.parallel ?? 1,
    shared: raw.shared ?? [],
    deterministic: raw.deterministic ?? false,
    sandbox: { ...DEFAULT_SANDBOX, ...raw.sandbox },
    executor: executorWithDefaults(raw.executor),
    search: { strategy: 'greedy', ...raw.search },
    models: modelsWithDefaults(raw.models),
  };
}

function defaultKnobName(knob: { file: string; jsonPointer?: string }, index: number): string {
  const last = knob.jsonPointer === undefined ? undefined : pointerToPath(knob.jsonPointer).pop();
  return last !== undefined ? String(last) : `${path.basename(knob.file)}#${index + 1}`;
}

type Locate = (offset: number, message: string) => ConfigProblem;

function locator(text: string, file: string): Locate {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  return (offset, message) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return { file, line: line + 1, column: offset - lineStarts[line]! + 1, message };
  };
}

function describeParseError(e: ParseError): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected a colon',
    CommaExpected: 'expected a comma',
    CloseBraceExpected: 'expected }',
    CloseBracketExpected: 'expected ]',
    EndOfFileExpected: 'expected the end of the file',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character (in a JSON string a backslash is written twice: the regular expression \\d is "\\\\d")',
    InvalidCharacter: 'invalid character',
  };
  const code = printParseErrorCode(e.error);
  return words[code] ?? code;
}

function nodeAt(root: Node, location: Array<string | number>): Node {
  return findNodeAtLocation(root, location) ?? root;
}

/** The key of a property rather than its value, so "unknown key" points at the key. */
function keyNode(root: Node, location: Array<string | number>): Node {
  const value = findNodeAtLocation(root, location);
  return value?.parent?.type === 'property' && value.parent.children?.[0] ? value.parent.children[0] : nodeAt(root, location);
}

function schemaProblems(errors: ErrorObject[], root: Node, at: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // if/then only says "must match then"; the then's own error says what is missing.
    if (error.keyword === 'if') continue;
    // anyOf/oneOf restate their branches' errors; the branches say it better.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      if (error.keyword === 'oneOf' && error.schemaPath.includes('knob')) {
        const node = nodeAt(root, pointerToPath(error.instancePath));
        const needs = error.schemaPath.includes('allOf/1') ? 'either "min", "max" and "step" (a range) or "choices" (a set), not both' : 'exactly one of "jsonPointer" or "pattern"';
        pushOnce(at(node.offset, `${where(error.instancePath)}: a knob needs ${needs}`));
      }
      continue;
    }
    if (error.schemaPath.includes('/oneOf/') || error.schemaPath.includes('/anyOf/')) {
      if (error.keyword === 'required' && error.schemaPath.includes('gate')) {
        const node = nodeAt(root, pointerToPath(error.instancePath));
        pushOnce(at(node.offset, `${where(error.instancePath)}: a gate needs "min" or "max"`));
      }
      continue;
    }
    const location = pointerToPath(error.instancePath);
    if (error.keyword === 'additionalProperties') {
      const key = String(error.params.additionalProperty);
      const node = keyNode(root, [...location, key]);
      const allowed = allowedKeys(error.parentSchema);
      pushOnce(at(node.offset, `unknown key "${key}" in ${where(error.instancePath)}${allowed ? ` (allowed: ${allowed})` : ''}`));
    } else if (error.keyword === 'required') {
      const node = nodeAt(root, location);
      pushOnce(at(node.offset, `${where(error.instancePath)} is missing the required key "${String(error.params.missingProperty)}"`));
    } else {
      const node = nodeAt(root, location);
      pushOnce(at(node.offset, `${where(error.instancePath)} ${describeSchemaError(error)}`));
    }
  }
  return problems;

  function pushOnce(p: ConfigProblem): void {
    const id = `${p.line}:${p.column}:${p.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      problems.push(p);
    }
  }
}

function allowedKeys(parentSchema: unknown): string | undefined {
  const props = (parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props).filter((k) => k !== '$schema').join(', ') : undefined;
}

function where(instancePath: string): string {
  if (instancePath === '') return 'the config';
  return `"${pointerToPath(instancePath)
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('')}"`;
}

/** A number's bound in words: "must be at most 2147483" reads better than "must be <= 2147483". */
const BOUNDS: Record<string, string> = { '<=': 'at most', '>=': 'at least', '<': 'less than', '>': 'more than' };

function describeSchemaError(error: ErrorObject): string {
  switch (error.keyword) {
    case 'type':
      return `must be ${String(error.params.type).split(',').map(article).join(' or ')}`;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minItems':
      return `must have at least ${String(error.params.limit)} item(s)`;
    case 'minLength':
      return 'must not be empty';
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${BOUNDS[String(error.params.comparison)] ?? String(error.params.comparison)} ${String(error.params.limit)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function semanticProblems(config: Config, listed: ListedEval[], root: Node, at: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (location: Array<string | number>, message: string): void => {
    problems.push(at(nodeAt(root, location).offset, message));
  };

  for (const p of evalProblems(listed, config.editable, config.objective)) report(p.location, p.message);

  // A split's holdout view is an eval too: an objective that names it is told it is a holdout.
  const objectiveEval = config.evals.find((e) => e.name === config.objective.eval);
  if (!objectiveEval) {
    const known = config.evals.map((e) => `"${e.name}"`).join(', ');
    report(['objective', 'eval'], `objective names eval "${config.objective.eval}", which is not defined (evals: ${known})`);
  } else if (objectiveEval.holdout) {
    report(['objective', 'eval'], `objective eval "${config.objective.eval}" is a holdout eval; the objective must be an eval the proposer may learn from`);
  }

  config.shared.forEach((entry, i) => {
    const segments = entry.split(/[\\/]/);
    if (path.isAbsolute(entry) || path.win32.isAbsolute(entry) || segments.includes('..') || segments[0] === '.git' || segments[0] === CONFIG_DIR) {
      report(['shared', i], `shared folder "${entry}" must be a folder inside the workspace, given relative to it (not absolute, no "..", not .git or .aiai)`);
    }
  });

  config.knobs.forEach((knob, i) => {
    if (isChoiceKnob(knob)) {
      if (new Set(knob.choices.map((c) => typeof c)).size > 1) report(['knobs', i, 'choices'], `knob "${knob.name}": choices must be all strings or all numbers`);
    } else if (knob.min >= knob.max) report(['knobs', i, 'max'], `knob "${knob.name}": max must be greater than min`);
    if (knob.all !== undefined && knob.jsonPointer !== undefined) {
      report(['knobs', i, 'all'], `knob "${knob.name}": "all" applies to a pattern (a JSON pointer names one place)`);
    }
    // The pattern itself is checked here; where it matches is checked against the version a run changes.
    const shape = knob.pattern !== undefined ? patternProblem(knob.pattern) : undefined;
    if (shape) report(['knobs', i, 'pattern'], `knob "${knob.name}": ${shape}`);
  });
  return problems;
}
