import * as path from 'node:path';
import type { Config } from '../config/config';
import { formatNumber } from '../../shared/format';
import { capText } from '../common/text';
import { QUICK_REASON_MEANINGS } from '../../shared/review';
import { agentBudget, budgetStatement } from './agentBudget';
import { attemptLine } from './attempts';
import { pathPolicy } from '../config/pathPolicy';
import { firstNonUtf8 } from '../git/bytes';
import { failureOverview } from './evidence';
import { hiddenBecause } from './visibility';
import type { Attempt, LeftOut, ProposalRequest } from './proposer';

/** Where a workspace keeps its own prompt for the proposer (committed, so reviewed). */
export const PROMPT_FILE = '.aiai/prompts/propose.md';

const BUILT_IN_SYSTEM_PROMPT = `You improve an AI agent by proposing one focused change to its own code, prompts or parameters.

The change is graded by the workspace's evaluators in an isolated checkout; you never see
their code or the holdout evaluations, and a person reviews every change before it is
deployed. Aim for a real improvement of the objective, not for the grader: changes that
special-case evaluation inputs are rejected in review.

How to work:
- Read the agent's files and the record of earlier attempts. Do not repeat an attempt
  that failed or did not improve; build on what improved.
- Prefer one clear hypothesis per change. Say in the rationale what you expect to improve and why.
- Edit only the editable files listed. Each edit replaces \`search\` with \`replace\`; \`search\`
  must be copied exactly from the parent version of the file and occur in it exactly once.
  Include enough surrounding lines to make it unique. To create a new file, give an empty
  \`search\`.
- Read the failing cases' evidence (input, expected, output, feedback) and diagnose why
  they fail before you change anything.
- A person's rejection reason is a standing instruction: never propose what they rejected.`;

const SINGLE_TASK = 'Propose one change that improves the objective, to the version described at the end, in the light of the earlier attempts. Answer by calling propose_change exactly once.';

const AGENT_TASK = `Improve the objective of the version described at the end. You work on a draft of it with tools:
list_files, read_file and search_files to look around; show_failures for the failing train cases
with their evidence; edit_file to change the draft (search/replace, as above); run_evals to grade
the draft on the train evals (metrics, deltas against the version, cases that newly pass or fail);
submit_change with your diagnosis, a title and a rationale when the draft is ready. Check your idea with run_evals
before you submit; a person reviews every change.`;

/** Characters of failing cases shown in the prompt; agent mode pages through the rest. */
const FAILURES_CHARS = 12_000;

/** At most this many earlier attempts are shown, most recent last. */
const HISTORY_LIMIT = 25;
const FAILING_CASES_SHOWN = 12;
/** A person's most recent rejected changes are shown with their diffs, each cut to this many characters. */
const REJECTED_DIFFS = 5;
const REJECTED_DIFF_CHARS = 3000;
/** Context beyond this many characters is left out, file by file, largest last. */
const CONTEXT_CHAR_LIMIT = 400_000;

export interface PromptParts {
  system: string;
  /** Byte-identical across the rounds of a run: the files at the run's base. */
  stable: string;
  /** The version to change: its diff, results, failures, and a person's rejections; the same while the parent is. */
  parent: string;
  /** One block per earlier attempt, oldest first: each round only appends to them. */
  history: string[];
  leftOut: LeftOut[];
  /** The failing cases `parent` shows, `eval/id`, which `show_failures` then skips. */
  failuresShown: string[];
}

/** Builds the request text for a model proposer. Nothing from a holdout eval is in a request. */
export async function buildPrompt(config: Config, request: ProposalRequest, mode: 'single' | 'agent'): Promise<PromptParts> {
  const system = (await request.readFile(request.base, PROMPT_FILE)) ?? BUILT_IN_SYSTEM_PROMPT;
  const { files, leftOut } = await contextFiles(config, request);
  const o = config.objective;
  const stable = [
    `# Objective\nImprove \`${o.metric}\` reported by the eval \`${o.eval}\` (${o.direction === 'maximize' ? 'higher' : 'lower'} is better${o.minDelta > 0 ? `; a change must gain at least ${o.minDelta}` : ''}).`,
    `# Editable files\nGlobs: ${config.editable.map((g) => `\`${g}\``).join(', ')}. Never edit: ${['.aiai/**', '.git/**', ...config.protected].map((g) => `\`${g}\``).join(', ')}.`,
    `# Files at the start of this run (${request.base.slice(0, 12)})`,
    ...files.map((f) => `## ${f.path}${f.editable ? '' : ' (read-only context)'}\n\`\`\`${fence(f.path)}\n${f.text}\n\`\`\``),
    leftOut.length > 0 ? `# Files not shown\n${leftOut.map((l) => `- ${l.path}: ${l.reason}`).join('\n')}` : '',
    request.lessons ? `# Lessons from earlier runs (.aiai/lessons.md)\n${request.lessons}` : '',
    `# Task\n${mode === 'agent' ? `${AGENT_TASK}\n${budgetStatement(agentBudget(config))}` : SINGLE_TASK}`,
  ]
    .filter(Boolean)
    .join('\n\n');

  const changes = request.parent.commit === request.base ? '' : await request.diff(request.base, request.parent.commit);
  const overview = failureOverview(request.parent.failures, request.parent.passes, FAILURES_CHARS, { tools: mode === 'agent' });
  const parent = [
    `# The version to change\nYou are changing ${request.parent.id ? `candidate ${request.parent.id}, the best so far` : 'the current version'}. ` +
      (changes ? `It differs from the files above by this diff; your \`search\` texts must match it:\n\`\`\`diff\n${changes.trimEnd()}\n\`\`\`` : 'Its files are exactly the ones above.'),
    `# Its results\n${Object.entries(request.parent.metrics)
      .map(([name, metrics]) => `- ${name}: ${Object.entries(metrics).map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`)
      .join('\n')}`,
    failuresBlock(request, overview.text),
    await rejectionsBlock(request),
  ]
    .filter(Boolean)
    .join('\n\n');
  return { system, stable, parent, history: historyBlocks(request.history), leftOut, failuresShown: overview.shown };
}

/** What the parent's evals said, and its failing train cases by kind, with examples and passing cases for contrast. */
function failuresBlock(request: ProposalRequest, failures: string): string {
  const feedback = Object.entries(request.parent.feedback).map(([name, text]) => `- ${name}: ${text}`);
  if (feedback.length === 0 && !failures) return '';
  return [
    feedback.length > 0 ? `# What its evals said\n${feedback.join('\n')}` : '',
    failures ? `# Where it fails: ${failures}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}


/**
 * Every change a person rejected in this workspace, with their reasons, a quick reason's
 * meaning spelled out: it stands for every later proposal. The most recent ones show
 * what they changed, so a model can tell what not to do again.
 */
async function rejectionsBlock(request: ProposalRequest): Promise<string> {
  const rejected = request.history.filter((a) => a.outcome === 'rejected');
  if (rejected.length === 0) return '';
  const why = (a: Attempt): string => `${a.reason ?? 'no reason given'}${a.because ? ` (${a.because} means: ${QUICK_REASON_MEANINGS[a.because]})` : ''}`;
  const shownWithDiff = new Set(rejected.slice(-REJECTED_DIFFS).map((a) => a.id));
  const entries = await Promise.all(
    rejected.map(async (a) => {
      const line = `- "${a.title}" (candidate ${a.id}): ${why(a)}`;
      if (!a.commit || !shownWithDiff.has(a.id)) return line;
      // A candidate's commit outlives its review (refs/aiai/candidates/); a diff that cannot be made leaves the reason alone.
      const diff = await request.diff(a.parentCommit, a.commit).catch(() => '');
      return diff.trim() ? `${line}\n\`\`\`diff\n${capText(diff.trimEnd(), REJECTED_DIFF_CHARS)}\n\`\`\`` : line;
    }),
  );
  return `# Changes a person rejected, and why (do not propose them again)\n${entries.join('\n')}`;
}

function historyBlocks(history: Attempt[]): string[] {
  // Older attempts drop out ten at a time, so the list keeps its start (and its cache) for ten rounds.
  const shown = history.slice(history.length > HISTORY_LIMIT ? Math.ceil((history.length - HISTORY_LIMIT) / 10) * 10 : 0);
  const lines = shown.map((a) => {
    const cases = a.failingCases.length > 0 ? `; failing: ${a.failingCases.slice(0, FAILING_CASES_SHOWN).join(', ')}${a.failingCases.length > FAILING_CASES_SHOWN ? ', …' : ''}` : '';
    const log = a.logTail ? `\n  log of the failed eval, last lines:\n    ${a.logTail.replace(/\n/g, '\n    ')}` : '';
    return `${attemptLine(a)}${cases}${log}`;
  });
  // The heading stays the same while the list grows, so each round's prefix extends the last one's.
  return ['# Earlier attempts, oldest first', ...(lines.length > 0 ? lines : ['None yet.'])];
}

async function contextFiles(config: Config, request: ProposalRequest): Promise<{ files: Array<{ path: string; text: string; editable: boolean }>; leftOut: LeftOut[] }> {
  const policy = pathPolicy(config);
  const maxBytes = config.proposer.maxFileBytes ?? 65_536;
  const leftOut: LeftOut[] = [];
  const files: Array<{ path: string; text: string; editable: boolean }> = [];
  const candidates = (await request.listFiles(request.base)).filter((p) => (policy.isEditable(p) || policy.isContext(p)) && !policy.isProtected(p)).sort();
  for (const file of candidates) {
    const hidden = hiddenBecause(policy, file);
    if (hidden) {
      leftOut.push({ path: file, reason: hidden });
      continue;
    }
    const text = (await request.readFile(request.base, file)) ?? '';
    const notUtf8 = firstNonUtf8(text);
    if (text.slice(0, 8000).includes('\u0000')) leftOut.push({ path: file, reason: 'binary' });
    else if (notUtf8) leftOut.push({ path: file, reason: `not UTF-8 text (${notUtf8})` });
    else if (Buffer.byteLength(text) > maxBytes) leftOut.push({ path: file, reason: `larger than ${maxBytes} bytes (proposer.maxFileBytes)` });
    else files.push({ path: file, text, editable: policy.isEditable(file) });
  }
  // Keep the smaller files when everything together is too much.
  let total = 0;
  const kept = [...files].sort((a, b) => a.text.length - b.text.length).filter((f) => {
    total += f.text.length;
    if (total <= CONTEXT_CHAR_LIMIT) return true;
    leftOut.push({ path: f.path, reason: 'over the context limit' });
    return false;
  });
  return { files: files.filter((f) => kept.includes(f)), leftOut };
}

function fence(file: string): string {
  return path.posix.extname(file).slice(1);
}
