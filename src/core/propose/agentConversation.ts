import type Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config/config';
import { pathPolicy } from '../config/pathPolicy';
import { capText } from '../common/text';
import { addUsage, NO_USAGE, type Usage } from '../../shared/usage';
import { agentBudget, budgetLeft } from './agentBudget';
import { AGENT_TOOLS, AgentTools } from './agentTools';
import { Draft } from './draft';
import type { ModelClient } from './modelClient';
import type { PromptParts } from './proposalPrompt';
import { firstTurn, systemBlocks } from './promptMessages';
import type { Proposal, ProposalOutcome, ProposalRequest, ToolCall } from './proposer';

/** How much of each tool result the candidate's record keeps. */
const RECORDED_RESULT_CHARS = 2000;

/**
 * Agent mode: one proposal is a conversation with tools over a draft of the parent.
 * The model reads, asks for failures, edits the draft, has it graded and submits;
 * the draft's edits become the proposal. The model is told its budget and what is
 * left of it; a draft with edits at the last turn is submitted, not lost. Each turn
 * is marked for the prompt cache, so a turn pays only for what it added.
 */
export async function agentConversation(client: ModelClient, model: string, config: Config, request: ProposalRequest, prompt: PromptParts): Promise<ProposalOutcome> {
  const budget = agentBudget(config);
  const { maxTurns } = budget;
  const maxTokens = config.proposer.maxOutputTokens ?? 8192;
  const draft = new Draft(
    (file) => request.readFile(request.parent.commit, file),
    () => request.listFiles(request.parent.commit),
  );
  const tools = new AgentTools(request, draft, pathPolicy(config), budget.maxEvalRuns, prompt.failuresShown);
  const messages: Anthropic.MessageParam[] = [firstTurn(prompt)];
  const conversation: ToolCall[] = [];
  let usage: Usage = NO_USAGE;
  const common = (): { usage: Usage; leftOut: PromptParts['leftOut']; model: string; conversation: ToolCall[] } => ({ usage, leftOut: prompt.leftOut, model, conversation });

  for (let turn = 1; turn <= maxTurns; turn++) {
    // The last turn of a draft with edits may only submit it.
    const toolChoice: Anthropic.ToolChoice = turn === maxTurns && draft.edits.length > 0 ? { type: 'tool', name: 'submit_change' } : { type: 'any' };
    const called = await client.create({ model, max_tokens: maxTokens, system: systemBlocks(prompt), tools: AGENT_TOOLS, tool_choice: toolChoice, messages }, request.signal);
    if ('fatal' in called) throw called.fatal;
    if ('reason' in called) return { kind: 'error', reason: called.reason, ...common() };
    usage = addUsage(usage, called.usage);
    const calls = called.reply.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    messages.push({ role: 'assistant', content: called.reply.content });
    const blocks: Array<Anthropic.ToolResultBlockParam | Anthropic.TextBlockParam> = [];
    for (const call of calls) {
      const input = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
      const answer = await tools.call(call.name, input);
      conversation.push({ tool: call.name, input: call.input, result: capText(answer.text, RECORDED_RESULT_CHARS), isError: answer.isError });
      if (answer.submitted) return { kind: 'proposal', proposal: { ...answer.submitted, edits: [...draft.edits] }, ...common() };
      const left = budgetLeft(budget, maxTurns - turn, tools.evalRunsLeft);
      blocks.push({ type: 'tool_result', tool_use_id: call.id, content: `${answer.text}\n\n${left}`, ...(answer.isError ? { is_error: true } : {}) });
    }
    if (called.reply.stop_reason === 'max_tokens') blocks.push({ type: 'text', text: `Your reply was cut at ${maxTokens} tokens (proposer.maxOutputTokens): keep replies short and act through the tools.` });
    if (calls.length === 0) blocks.push({ type: 'text', text: 'Use the tools: edit the draft, check it with run_evals, then call submit_change.' });
    if (turn + 1 === maxTurns) blocks.push({ type: 'text', text: lastTurnNote(draft.edits.length) });
    messages.push(markedTurn(blocks));
    unmarkEarlierTurns(messages);
  }
  if (draft.edits.length > 0) return { kind: 'proposal', proposal: turnsRanOut(draft, maxTurns), ...common() };
  return { kind: 'invalid', reason: `the agent used its ${maxTurns} turns (proposer.maxTurns) without calling submit_change`, ...common() };
}

function lastTurnNote(edits: number): string {
  return edits > 0
    ? `Your next turn is the last (proposer.maxTurns): call submit_change with your diagnosis, a title and a rationale for the draft's ${edits} edit(s); without it the draft is submitted as it stands.`
    : 'Your next turn is the last (proposer.maxTurns), and the draft has no edits: a proposal needs an edit_file now.';
}

/** A draft with edits at the end of the turns is not thrown away: it is submitted as it stands, saying so. */
function turnsRanOut(draft: Draft, maxTurns: number): Proposal {
  const files = [...new Set(draft.edits.map((e) => e.path))];
  return {
    title: `Draft of ${files.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''}, submitted when the turns ran out`,
    rationale: `The agent used its ${maxTurns} turns (proposer.maxTurns) without calling submit_change; aiai submitted its draft of ${draft.edits.length} edit(s) as it stood.`,
    edits: [...draft.edits],
  };
}

/** A user turn whose last block is a cache breakpoint. */
function markedTurn(blocks: Array<Anthropic.ToolResultBlockParam | Anthropic.TextBlockParam>): Anthropic.MessageParam {
  const last = blocks.length - 1;
  return { role: 'user', content: blocks.map((b, i) => (i === last ? { ...b, cache_control: { type: 'ephemeral' } } : b)) };
}

/**
 * Keeps the breakpoints within the API's four, after every turn whatever the reply:
 * the first turn's three and the newest turn's. The cache still serves the earlier
 * turns, whose prefixes it wrote before.
 */
function unmarkEarlierTurns(messages: Anthropic.MessageParam[]): void {
  const newest = messages.length - 1;
  messages.forEach((m, i) => {
    if (i === 0 || i === newest || m.role !== 'user' || typeof m.content === 'string') return;
    m.content = m.content.map((b) => {
      if (!('cache_control' in b) || !b.cache_control) return b;
      const { cache_control: _, ...rest } = b;
      return rest as typeof b;
    });
  });
}
