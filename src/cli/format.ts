import { capText } from '../core/common/text';
import { failureLog, type Evaluation } from '../core/grade/evaluation';
import type { ToolCall } from '../core/propose/proposer';
import { mayBeBest, type CandidateRecord } from '../core/record/records';
import type { CandidateBrief, CandidateSummary } from '../core/record/summary';
import type { Lineage } from '../core/record/store';
import { modelTallies } from '../core/review/models';
import type { RunSummary } from '../core/loop/loop';
import { formatNumber, formatSigned, lastLines, lineageText, parentName, versionText } from '../shared/format';
import type { ApprovalChain, CaseEvidencePage, CaseSide } from '../shared/review';
import { describeUsage } from '../shared/usage';
import { DIAGNOSIS_FIELDS, DIAGNOSIS_LABELS } from '../shared/diagnosis';
import type { Version } from '../core/review/versions';

/** What `list --json` prints for a candidate: the fields scripts rely on, and a few more. */
export function candidateSummary(c: CandidateSummary, objectiveEval: string): Record<string, unknown> {
  return {
    id: c.id,
    title: c.title,
    status: c.status,
    metrics: c.trainMetrics[objectiveEval] ?? null,
    delta: c.objective?.delta ?? null,
    flags: c.flags,
    reason: c.reason ?? null,
    run: c.runId,
    parent: parentName(c.parent.id),
    createdAt: c.createdAt,
    contentHash: c.contentHash ?? null,
  };
}

export function candidateLine(c: Pick<CandidateBrief, 'id' | 'status' | 'objective' | 'flags' | 'reason' | 'title'>): string {
  const objective = c.objective ? `${c.objective.metric} ${formatNumber(c.objective.value)} (${formatSigned(c.objective.delta)})${c.objective.partial ? ` partial, ${partialText(c.objective.partial)}` : ''}` : '';
  const flags = c.flags.length > 0 ? ` [${c.flags.join(', ')}]` : '';
  const reason = c.status !== 'pending' && c.status !== 'approved' && c.reason ? `  — ${c.reason}` : '';
  return `${c.id}  ${c.status.padEnd(10)}  ${objective.padEnd(28)}  ${c.title}${flags}${reason}`;
}

/** What `show` adds to a record: a page of the changed cases with their evidence, and what approving it applies. */
export interface DetailsExtras {
  cases?: CaseEvidencePage;
  /** The --case-filter text the page was filtered by. */
  filter?: string | undefined;
  chain?: ApprovalChain;
}

/** A candidate in full, with its lineage. */
export function candidateDetails(c: CandidateRecord, lineage: Lineage, extras: DetailsExtras = {}): string {
  const { ancestors, unreadable } = lineage;
  const lines = [
    `candidate ${c.id}: ${c.title}`,
    `status     ${c.status}${c.reason ? ` — ${c.reason}` : ''}${c.flags.length ? `  flags: ${c.flags.join(', ')}` : ''}`,
    `run        ${c.runId}   proposer ${c.proposer}`,
    `parent     ${parentName(c.parent.id)} (${c.parent.commit.slice(0, 8)})   base ${c.base.slice(0, 8)}`,
    `lineage    ${unreadable ? ['?', unreadable.id, ...ancestors.map((a) => a.id), c.id].join(' → ') : lineageText(ancestors.map((a) => a.id), c.id)}${c.derivedFrom ? `   (part of candidate ${c.derivedFrom})` : ''}`,
  ];
  // What a damaged record grew from is unknown: the "?" stands for it, and this line says why.
  if (unreadable) lines.push(`           ${unreadable.problem}`);
  if (c.commit) lines.push(`commit     ${c.commit}   content hash ${c.contentHash}`);
  if (c.decision) lines.push(`decided    ${c.decision.at} by ${c.decision.by}${c.decision.commit ? ` → ${c.decision.commit.slice(0, 8)}` : ''}`);
  if (c.usage) lines.push(`model      ${describeUsage(c.usage)}`);
  if (c.leftOut?.length) lines.push(`not shown  ${c.leftOut.map((l) => `${l.path} (${l.reason})`).join(', ')}`);
  if (c.model) lines.push(`model      ${c.model}`);
  if (c.rationale) lines.push('', 'rationale', indent(c.rationale));
  if (c.diagnosis) lines.push('', 'why the model expects this to help', ...diagnosisLines(c));
  if (c.conversation?.length) lines.push('', 'how it got here', ...c.conversation.map(conversationLine));
  if (c.objective) {
    const o = c.objective;
    const noise = o.noise !== undefined ? ` ± ${formatNumber(o.noise)}` : '';
    lines.push('', `objective  ${o.metric}: ${formatNumber(o.parent)} → ${formatNumber(o.value)} (${formatSigned(o.delta)}${noise} vs parent, ${formatSigned(o.deltaVsCurrent)} vs current)`);
    if (o.partial) lines.push(`           partial: the race stopped it after ${partialText(o.partial)}; its metrics are of those cases alone`);
  }
  if (extras.chain && (extras.chain.steps.length > 1 || extras.chain.moved)) lines.push('', ...chainLines(extras.chain));
  if (c.evaluation) lines.push('', ...evaluationTable(c.evaluation, c.deltas.vsParent));
  for (const e of c.evaluation?.evals ?? []) {
    if (e.feedback) lines.push('', `feedback of ${e.name}${e.holdout ? ' (holdout)' : ''}`, indent(e.feedback.trimEnd()));
  }
  if (extras.cases && extras.cases.counts['newly-failing'] + extras.cases.counts['newly-passing'] > 0) lines.push('', ...caseLines(extras.cases, extras.filter));
  const failed = c.evaluation?.evals.find((e) => e.status !== 'passed');
  if (failed) {
    const log = failureLog(failed);
    lines.push('', `log of ${failed.name}${failed.graded ? "'s grader" : ''} (${log.file}), last lines:`, indent(lastLines(log.tail, 20)));
  }
  if (c.diff) lines.push('', c.diff.trimEnd());
  else if (c.edits.length) lines.push('', 'proposed edits:', ...c.edits.map((e) => `  ${e.path}`));
  return lines.join('\n');
}

/**
 * What approving a candidate that grew from candidates not on the branch applies:
 * the whole chain, as one change against the current version.
 */
function chainLines(chain: ApprovalChain): string[] {
  const [tip] = chain.steps.slice(-1);
  const earlier = chain.steps.slice(0, -1);
  const pending = earlier.filter((s) => s.status === 'pending').map((s) => s.id);
  const from = versionText(chain.from);
  const lines: string[] = [];
  if (chain.steps.length > 1) {
    lines.push(`approving  applies the whole chain of ${chain.steps.length} steps from ${from}, as one change: ${chain.steps.map((s) => (s === tip ? s.id : `${s.id} (${s.status})`)).join(' → ')}`);
    if (pending.length > 0) lines.push(`           ${pending.join(', ')} ${pending.length === 1 ? 'is' : 'are'} then marked superseded`);
  }
  if (chain.moved) lines.push(`${lines.length > 0 ? '          ' : 'approving '} the branch moved since ${from}: ${chain.steps.length > 1 ? 'the chain is' : 'it is'} merged onto ${versionText(chain.current)}`);
  const o = chain.objective;
  lines.push(
    o
      ? `vs current ${o.metric} ${formatNumber(o.current)} → ${formatNumber(o.value)} (${formatSigned(o.delta)}) against ${versionText(chain.current)}, the current version`
      : `vs current not measured: ${versionText(chain.current)} has no objective value on record`,
  );
  return lines;
}

/** Evidence longer than this is cut in text; `show --json` has it whole. */
const EVIDENCE_SHOWN = 400;

/** The cases that changed, newly failing first, with their evidence before and after. */
function caseLines(page: CaseEvidencePage, filter: string | undefined): string[] {
  const failing = page.counts['newly-failing'];
  const passing = page.counts['newly-passing'];
  const against = page.before.kind === 'baseline' ? `the baseline ${page.before.commit.slice(0, 8)}` : `the parent ${page.before.id}`;
  const lines = [`cases      ${failing} newly failing, ${passing} newly passing, against ${against}${filter ? `; ${page.total} match "${filter}"` : ''}`];
  if (page.beforeMissing) lines.push(`           before: ${page.beforeMissing}`);
  for (const k of page.cases) {
    lines.push(`${k.change === 'newly-failing' ? '✗' : '✓'} ${k.eval}/${k.id}  ${k.change.replace('-', ' ')}${k.holdout ? ' (holdout)' : ''}`);
    const field = (name: string, text: string | undefined): void => {
      if (text !== undefined) lines.push(`    ${name.padEnd(15)} ${capLine(text)}`.trimEnd());
    };
    field('input', k.input);
    field('expected', k.expected);
    field(`before ${k.before ? sideWord(k.before) : ''}`.trimEnd(), k.before ? (k.before.output ?? '') : '(not in the record)');
    field(`after ${sideWord(k.after)}`, k.after.output ?? '');
    field('feedback', k.after.feedback);
    field('model calls', k.after.model);
    if (k.before?.model !== undefined) field('calls before', k.before.model);
    if (k.before?.feedback !== undefined && k.before.feedback !== k.after.feedback) field('feedback before', k.before.feedback);
  }
  const more = page.total - page.offset - page.cases.length;
  if (more > 0) lines.push(`… ${more} more: --cases all (or --cases N) shows them, --case-filter TEXT finds some`);
  return lines;
}

function sideWord(side: CaseSide): string {
  return `${side.passed ? 'passed' : 'failed'}${side.score !== undefined ? ` ${formatNumber(side.score)}` : ''}`;
}

/** Evidence on one line: newlines shown as ⏎, cut at EVIDENCE_SHOWN characters. */
function capLine(text: string): string {
  return capText(text.replace(/\r?\n/g, ' ⏎ '), EVIDENCE_SHOWN);
}

/** One tool call of an agent conversation: the tool, its input, the first line of its answer. */
function conversationLine(step: ToolCall, index: number): string {
  const answer = step.result.split('\n')[0] ?? '';
  return `  ${String(index + 1).padStart(2)}. ${step.tool} ${JSON.stringify(step.input)}${step.isError ? '  ✗ ' : '  → '}${answer.slice(0, 160)}`;
}

function evaluationTable(evaluation: Evaluation, deltas: Record<string, Record<string, number>>): string[] {
  const rows = [`${'eval'.padEnd(18)} ${'status'.padEnd(12)} ${'metric'.padEnd(20)} ${'value'.padEnd(9)} delta`];
  for (const e of evaluation.evals) {
    const kind = e.holdout ? ' (holdout)' : e.gate ? ' (gate)' : '';
    const metrics = Object.entries(e.metrics);
    if (metrics.length === 0) rows.push(`${(e.name + kind).padEnd(18)} ${e.status.padEnd(12)} ${e.reason ?? ''}`);
    for (const [name, value] of metrics) {
      const delta = deltas[e.name]?.[name];
      rows.push(`${(e.name + kind).padEnd(18)} ${e.status.padEnd(12)} ${name.padEnd(20)} ${formatNumber(value).padEnd(9)} ${delta === undefined ? '' : formatSigned(delta)}`);
    }
    if (e.cut) rows.push(`${(e.name + kind).padEnd(18)} ${e.cut}`);
  }
  return rows;
}

export function versionLine(v: Version, objectiveMetric: string, current: boolean): string {
  const value = v.metrics?.[objectiveMetric];
  const metric = value === undefined ? 'not measured' : `${objectiveMetric} ${formatNumber(value)}`;
  return `${current ? '*' : ' '} ${v.version.padEnd(4)} ${v.commit.slice(0, 8)}  ${v.date.slice(0, 16).replace('T', ' ')}  ${metric.padEnd(22)}  ${v.kind.padEnd(8)}  ${v.title}`;
}

export function runSummaryText(summary: RunSummary, objectiveMetric: string): string {
  const counts = new Map<string, number>();
  for (const c of summary.candidates) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const tally = [...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'no candidates';
  const baseline = summary.run.baseline?.evals.length ? summary.candidates[0]?.objective?.current : undefined;
  const lines = [`run ${summary.run.id}: ${summary.candidates.length} candidate(s): ${tally}. Stopped: ${summary.run.stopReason ?? summary.run.state}.`];
  if (summary.run.usage) lines.push(`model calls: ${describeUsage(summary.run.usage)}${summary.run.lessonsUsage ? ' (the lessons\' rewrite included)' : ''}`);
  const evalUsage = summary.run.evalUsage;
  if (evalUsage && evalUsage.calls > 0) lines.push(`evaluations' model calls, through the gateway: ${evalUsage.calls} call(s), ${describeUsage(evalUsage)}`);
  for (const t of modelTallies(summary.candidates)) {
    lines.push(`  ${t.model}: ${t.proposals} proposal(s), ${t.improvements} improvement(s), ${describeUsage(t.usage)}`);
  }
  if (summary.run.drafts) lines.push(`drafts graded before submitting: ${summary.run.drafts.evaluations} (${(summary.run.drafts.durationMs / 1000).toFixed(1)} s)`);
  const saved = summary.run.savings;
  if (saved.skippedEvals + saved.reusedEvaluations + saved.duplicates > 0) {
    lines.push(
      `saved: ${saved.skippedEvals} eval(s) the cascade skipped (about ${(saved.skippedEvalMs / 1000).toFixed(1)} s), ` +
        `${saved.reusedEvaluations} evaluation(s) reused for identical content, ${saved.duplicates} duplicate proposal(s) refused.`,
    );
  }
  const race = summary.run.race;
  if (race) {
    const spared = race.sparedCalls > 0 ? `, and about ${race.sparedCalls} model call(s) ($${race.sparedCostUsd.toFixed(2)}) of the evals spared` : '';
    lines.push(
      `raced: ${race.candidates} candidate(s), ${race.stopped} stopped before their last case: ${race.cases} case run(s) of the ${race.of} a full grading would have run (${Math.round((100 * (race.of - race.cases)) / Math.max(1, race.of))}% spared)${spared}.`,
    );
  }
  // Flagged candidates are named before the best, which stays the last line.
  const flagged = summary.candidates.filter((c) => c.status === 'pending' && !mayBeBest(c));
  if (flagged.length > 0) {
    lines.push(`flagged, so never the best: ${flagged.map((c) => `${c.id} [${c.flags.join(', ')}]`).join(', ')} (awaiting review all the same).`);
  }
  if (summary.best?.objective) {
    const o = summary.best.objective;
    lines.push(`best: ${summary.best.id} ${objectiveMetric} ${formatNumber(o.current)} → ${formatNumber(o.value)} (${formatSigned(o.deltaVsCurrent)}). Review it with \`aiai show ${summary.best.id}\`, then \`aiai approve ${summary.best.id}\`.`);
  } else if (baseline !== undefined) {
    lines.push(`no ${flagged.length > 0 ? 'unflagged ' : ''}candidate beat the current version (${objectiveMetric} ${formatNumber(baseline)}).`);
  }
  return lines.join('\n');
}


function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** The model's diagnosis, field by field, and beside it what the evaluation found. */
function diagnosisLines(c: CandidateRecord): string[] {
  const d = c.diagnosis!;
  const width = Math.max(...Object.values(DIAGNOSIS_LABELS).map((l) => l.length), WHAT_HAPPENED.length);
  const row = (label: string, text: string): string => `  ${label.padEnd(width)}  ${text.replace(/\n/g, `\n  ${' '.repeat(width)}  `)}`;
  const o = c.objective;
  const happened = o ? `${o.metric} ${formatNumber(o.parent)} → ${formatNumber(o.value)} (${formatSigned(o.delta)} vs parent); ${c.status}` : `${c.status}${c.reason ? ` — ${c.reason}` : ''}`;
  return [...DIAGNOSIS_FIELDS.map((f) => row(DIAGNOSIS_LABELS[f], d[f])), row(WHAT_HAPPENED, happened)];
}

const WHAT_HAPPENED = 'what happened';

/** "24 of 120 cases". */
function partialText(partial: { cases: number; of: number }): string {
  return `${partial.cases} of ${partial.of} cases`;
}
