import type Anthropic from '@anthropic-ai/sdk';
import picomatch from 'picomatch';
import type { PathPolicy } from '../config/pathPolicy';
import { capText } from '../common/text';
import { firstNonUtf8 } from '../git/bytes';
import type { TrainCase } from '../grade/grading';
import { asDiagnosis, DIAGNOSIS_FIELDS, type Diagnosis } from '../../shared/diagnosis';
import { formatNumber, formatSigned } from '../../shared/format';
import { DIAGNOSIS_INPUT } from './diagnosisInput';
import type { Draft } from './draft';
import { caseName, pageOfFailures } from './evidence';
import { failureKinds, findKind } from './failureKinds';
import type { DraftResult, ProposalRequest } from './proposer';
import { hiddenBecause } from './visibility';

/** The agent's tools. Their names and inputs are part of aiai's contract (README). */
export const AGENT_TOOLS: Anthropic.Tool[] = [
  tool('list_files', 'List the editable and context files of the draft, optionally under a folder.', { prefix: { type: 'string', description: 'A folder, e.g. "agent/".' } }),
  tool('read_file', 'Read an editable or context file of the draft, by lines.', {
    path: { type: 'string' },
    offset: { type: 'integer', minimum: 1, description: 'First line, from 1.' },
    limit: { type: 'integer', minimum: 1, description: 'How many lines.' },
  }, ['path']),
  tool('search_files', 'Search the editable and context files of the draft with a regular expression (JavaScript syntax).', {
    pattern: { type: 'string' },
    glob: { type: 'string', description: 'Only files matching this glob, e.g. "agent/**/*.py".' },
  }, ['pattern']),
  tool('show_failures', "The failing train cases with their evidence (input, expected, output, feedback), counted by kind, those not shown yet, a page at a time: the parent's, or after run_evals the draft's.", {
    group: { type: 'string', description: 'Only cases of this kind: its number in the list of kinds, or its group.' },
  }),
  tool('show_trace', "A train case's trace: the agent's steps on it, as the eval recorded them (cases that have one say so).", {
    case: { type: 'string', description: 'The case, as "eval/id".' },
  }, ['case']),
  tool('edit_file', 'Edit the draft: replace `search`, copied exactly from the file and occurring once, with `replace`. An empty search on a missing file creates it.', {
    path: { type: 'string' },
    search: { type: 'string' },
    replace: { type: 'string' },
  }, ['path', 'search', 'replace']),
  tool('run_evals', 'Grade the draft on the train evals, in the sandbox: metrics, deltas against the parent, cases that newly pass or fail.', {}),
  tool('submit_change', 'Submit the draft as the proposal: your diagnosis, a title (like a commit subject) and the rationale: what you expect to improve, and why.', {
    diagnosis: DIAGNOSIS_INPUT,
    title: { type: 'string', minLength: 1 },
    rationale: { type: 'string', minLength: 1 },
  }, ['diagnosis', 'title', 'rationale']),
];

/** A tool result is cut to this many characters. */
const RESULT_CHARS = 16_000;
const READ_LINES = 400;
const SEARCH_MATCHES = 100;

export interface ToolAnswer {
  text: string;
  isError: boolean;
  submitted?: { title: string; rationale: string; diagnosis: Diagnosis };
}

/** Runs the agent's tool calls over its draft, through what the loop handed the proposer. */
export class AgentTools {
  private evalRuns = 0;
  private failures: TrainCase[];
  private failuresOf = 'the parent';
  /** Failing cases the model has seen, `eval/id`: show_failures skips them. */
  private readonly shown: Set<string>;
  private lastRun?: { edits: number; run: number; answer: ToolAnswer };

  constructor(
    private readonly request: ProposalRequest,
    private readonly draft: Draft,
    private readonly policy: PathPolicy,
    private readonly maxEvalRuns: number,
    shownInPrompt: readonly string[],
  ) {
    this.failures = request.parent.failures;
    this.shown = new Set(shownInPrompt);
  }

  async call(name: string, input: Record<string, unknown>): Promise<ToolAnswer> {
    const answer = await this.answer(name, input);
    return { ...answer, text: capText(answer.text, RESULT_CHARS) };
  }

  private async answer(name: string, input: Record<string, unknown>): Promise<ToolAnswer> {
    const str = (key: string): string | undefined => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
    const int = (key: string): number | undefined => (Number.isInteger(input[key]) ? (input[key] as number) : undefined);
    const spec = AGENT_TOOLS.find((t) => t.name === name);
    if (!spec) return fail(`there is no tool "${name}"; the tools are ${AGENT_TOOLS.map((t) => t.name).join(', ')}`);
    // An input the tool does not take would be ignored without a word, and the model would read an answer to another question.
    const takes = Object.keys(spec.input_schema.properties ?? {});
    const unknown = Object.keys(input).filter((key) => !takes.includes(key));
    if (unknown.length > 0) return fail(`${name} takes ${takes.length > 0 ? takes.map((k) => `"${k}"`).join(', ') : 'no input'}, not ${unknown.map((k) => `"${k}"`).join(', ')}`);
    switch (name) {
      case 'list_files':
        return this.listFiles(str('prefix') ?? '');
      case 'read_file':
        return this.readFile(str('path') ?? '', int('offset') ?? 1, int('limit') ?? READ_LINES);
      case 'search_files':
        return this.searchFiles(str('pattern') ?? '', str('glob'));
      case 'show_failures':
        return this.showFailures(str('group'));
      case 'show_trace':
        return this.showTrace(str('case') ?? '');
      case 'edit_file':
        return this.editFile(str('path'), str('search'), str('replace'));
      case 'run_evals':
        return this.runEvals();
      case 'submit_change':
        return this.submit(str('title')?.trim() ?? '', str('rationale')?.trim() ?? '', asDiagnosis(input.diagnosis));
      default:
        return fail(`the tool "${name}" has no answer`);
    }
  }

  private async visibleFiles(): Promise<string[]> {
    return (await this.draft.paths()).filter((p) => hiddenBecause(this.policy, p) === undefined);
  }

  private async listFiles(prefix: string): Promise<ToolAnswer> {
    const files = (await this.visibleFiles()).filter((p) => p.startsWith(prefix));
    return ok(files.length > 0 ? files.map((p) => `${p}${this.policy.isEditable(p) ? '' : ' (read-only context)'}`).join('\n') : `no editable or context file under "${prefix}"`);
  }

  private async readFile(file: string, offset: number, limit: number): Promise<ToolAnswer> {
    const hidden = hiddenBecause(this.policy, file);
    if (hidden) return fail(`cannot read "${file}": ${hidden}`);
    const text = await this.draft.read(file);
    if (text === undefined) return fail(`"${file}" does not exist in the draft`);
    const notUtf8 = firstNonUtf8(text);
    if (notUtf8) return fail(`cannot read "${file}": it is not UTF-8 text (${notUtf8}); an edit keeps its other bytes as they are`);
    const lines = text.split('\n');
    if (offset > lines.length) return fail(`"${file}" has ${lines.length} line(s); offset ${offset} is past its end`);
    const shown = lines.slice(offset - 1, offset - 1 + Math.min(limit, READ_LINES));
    const more = offset - 1 + shown.length < lines.length ? `\n[lines ${offset}–${offset + shown.length - 1} of ${lines.length}; read on with offset ${offset + shown.length}]` : '';
    return ok(`${shown.join('\n')}${more}`);
  }

  private async searchFiles(pattern: string, glob: string | undefined): Promise<ToolAnswer> {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch (error) {
      return fail(`invalid regular expression: ${(error as Error).message}`);
    }
    const inGlob = glob ? picomatch(glob, { dot: true }) : () => true;
    const matches: string[] = [];
    for (const file of (await this.visibleFiles()).filter((p) => inGlob(p))) {
      const lines = ((await this.draft.read(file)) ?? '').split('\n');
      for (const [i, line] of lines.entries()) {
        if (!regex.test(line)) continue;
        matches.push(`${file}:${i + 1}: ${line.slice(0, 300)}`);
        if (matches.length >= SEARCH_MATCHES) return ok(`${matches.join('\n')}\n[stopped at ${SEARCH_MATCHES} matches]`);
      }
    }
    return ok(matches.length > 0 ? matches.join('\n') : 'no match');
  }

  private showFailures(group: string | undefined): ToolAnswer {
    if (this.failures.length === 0) return ok(`Of ${this.failuresOf}: no failing train cases.`);
    const kinds = failureKinds(this.failures);
    const kind = group === undefined ? undefined : findKind(kinds, group);
    if (group !== undefined && !kind) return fail(`no kind "${group}" among the failures of ${this.failuresOf}; the kinds are numbered 1–${kinds.length} (show_failures without a group lists them)`);
    const page = pageOfFailures(this.failures, kind, this.shown, RESULT_CHARS - 500, { tools: true });
    for (const name of page.showing) this.shown.add(name);
    return ok(`Of ${this.failuresOf}. ${page.text}`);
  }

  private showTrace(name: string): ToolAnswer {
    const all = [...this.failures, ...this.request.parent.failures, ...this.request.parent.passes];
    const found = all.find((c) => caseName(c) === name.trim());
    if (!found) return fail(`no train case "${name}"; name one as "eval/id", as show_failures lists them`);
    return found.trace === undefined ? fail(`the eval recorded no trace for "${name}"`) : ok(`Trace of ${name}:\n${found.trace}`);
  }

  private async editFile(file: string | undefined, search: string | undefined, replace: string | undefined): Promise<ToolAnswer> {
    if (file === undefined || search === undefined || replace === undefined) return fail('edit_file needs "path", "search" and "replace" strings');
    const edit = { path: file, search, replace };
    const refusal = await this.request.guard([...this.draft.edits, edit]);
    if (refusal) return fail(`refused: ${refusal}`);
    const problem = await this.draft.apply(edit);
    return problem ? fail(problem) : ok(`edited ${file}; the draft has ${this.draft.edits.length} edit(s)`);
  }

  get evalRunsLeft(): number {
    return Math.max(0, this.maxEvalRuns - this.evalRuns);
  }

  private async runEvals(): Promise<ToolAnswer> {
    if (this.draft.edits.length === 0) return fail('the draft has no edits yet; edit_file first');
    // Edits only append, so the same count is the same draft: its result again costs no run.
    const last = this.lastRun;
    if (last?.edits === this.draft.edits.length) return { ...last.answer, text: `The draft is unchanged since run_evals ${last.run}; its result again, no run spent:\n${last.answer.text}` };
    if (this.evalRuns >= this.maxEvalRuns) return fail(`run_evals may run ${this.maxEvalRuns} time(s) per proposal (proposer.maxEvalRuns); submit or keep editing`);
    this.evalRuns++;
    const result = await this.request.evaluateDraft(this.draft.edits);
    // An eval that stopped before reporting any case says nothing of the parent's failures: they stay.
    if (!noCaseResults(result)) {
      this.failures = result.failures;
      this.failuresOf = `your draft (run_evals ${this.evalRuns})`;
      this.shown.clear();
    }
    const answer = { text: describeDraftResult(result), isError: !result.ok };
    this.lastRun = { edits: this.draft.edits.length, run: this.evalRuns, answer };
    return answer;
  }

  private submit(title: string, rationale: string, diagnosis: Diagnosis | undefined): ToolAnswer {
    if (!diagnosis) return fail(`submit_change needs a diagnosis with ${DIAGNOSIS_FIELDS.join(', ')}, each a sentence or two`);
    if (!title || !rationale) return fail('submit_change needs a title and a rationale');
    if (this.draft.edits.length === 0) return fail('the draft has no edits; edit_file first');
    return { text: 'submitted', isError: false, submitted: { title, rationale, diagnosis } };
  }
}

/** What run_evals tells the agent. */
export function describeDraftResult(r: DraftResult): string {
  const lines = [r.ok ? 'The train evals ran.' : `The draft failed: ${r.reason ?? 'an eval failed'}`];
  for (const [name, metrics] of Object.entries(r.metrics)) {
    const deltas = r.deltas[name] ?? {};
    lines.push(`- ${name}: ${Object.entries(metrics).map(([k, v]) => `${k} ${formatNumber(v)}${deltas[k] !== undefined ? ` (${formatSigned(deltas[k])} vs the parent)` : ''}`).join(', ')}`);
    const cases = r.cases[name];
    if (cases?.newlyPassing.length) lines.push(`  newly passing: ${cases.newlyPassing.join(', ')}`);
    if (cases?.newlyFailing.length) lines.push(`  newly failing: ${cases.newlyFailing.join(', ')}`);
  }
  lines.push(
    noCaseResults(r)
      ? "The eval stopped before it reported any case: this is not 0 failures, and show_failures still shows the parent's failing cases."
      : `${r.failures.length} train case(s) fail; show_failures shows them by kind.`,
  );
  if (r.logTail) lines.push(`log of the failed eval, last lines:\n${r.logTail}`);
  return lines.join('\n');
}

/** A draft whose evals failed without a single case: a crash, a timeout, edits that did not apply. */
function noCaseResults(r: DraftResult): boolean {
  return !r.ok && r.failures.length === 0;
}

function tool(name: string, description: string, properties: Record<string, unknown>, required: string[] = []): Anthropic.Tool {
  return { name, description, input_schema: { type: 'object', additionalProperties: false, properties, required } };
}

function ok(text: string): ToolAnswer {
  return { text, isError: false };
}

function fail(text: string): ToolAnswer {
  return { text, isError: true };
}
