import type Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config/config';
import { pathPolicy } from '../config/pathPolicy';
import { capText } from '../common/text';
import { addUsage, NO_USAGE, type Usage } from '../../shared/usage';
import { AGENT_TOOLS, AgentTools } from './agentTools';
import { Draft } from './draft';
import type { ModelClient } from './modelClient';
import type { PromptParts } from './proposalPrompt';
import { firstTurn, systemBlocks } from './promptMessages';
import type { ProposalOutcome, ProposalRequest, ToolCall } from './proposer';

/** How much of each tool result the candidate's record keeps. */
const RECORDED_RESULT_CHARS = 2000;

/**
 * Agent mode: one proposal is a conversation with tools over a draft of the parent.
 * The model reads, asks for failures, edits the draft, has it graded and submits;
 * the draft's edits become the proposal. Each turn is marked for the prompt cache,
 * so a turn pays only for what it added.
 */
export async function agentConversation(client: ModelClient, model: string, config: Config, request: ProposalRequest, prompt: PromptParts): Promise<ProposalOutcome> {
  const maxTurns = config.proposer.maxTurns ?? 20;
  const draft = new Draft(
    (file) => request.readFile(request.parent.commit, file),
    () => request.listFiles(request.parent.commit),
  );
  const tools = new AgentTools(request, draft, pathPolicy(config), config.proposer.maxEvalRuns ?? 3);
  const messages: Anthropic.MessageParam[] = [firstTurn(prompt)];
  const conversation: ToolCall[] = [];
  let usage: Usage = NO_USAGE;
  const common = (): { usage: Usage; leftOut: PromptParts['leftOut']; model: string; conversation: ToolCall[] } => ({ usage, leftOut: prompt.leftOut, model, conversation });

  for (let turn = 1; turn <= maxTurns; turn++) {
    const called = await client.create(
      { model, max_tokens: config.proposer.maxOutputTokens ?? 8192, system: systemBlocks(prompt), tools: AGENT_TOOLS, tool_choice: { type: 'any' }, messages },
      request.signal,
    );
    if ('fatal' in called) throw called.fatal;
    if ('reason' in called) return { kind: 'error', reason: called.reason, ...common() };
    usage = addUsage(usage, called.usage);
    const calls = called.reply.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    messages.push({ role: 'assistant', content: called.reply.content });
    if (calls.length === 0) {
      messages.push(markedTurn([{ type: 'text', text: 'Use the tools: edit the draft, check it with run_evals, then call submit_change.' }]));
      continue;
    }
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const call of calls) {
      const input = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
      const answer = await tools.call(call.name, input);
      conversation.push({ tool: call.name, input: call.input, result: capText(answer.text, RECORDED_RESULT_CHARS), isError: answer.isError });
      if (answer.submitted) return { kind: 'proposal', proposal: { ...answer.submitted, edits: [...draft.edits] }, ...common() };
      results.push({ type: 'tool_result', tool_use_id: call.id, content: answer.text, ...(answer.isError ? { is_error: true } : {}) });
    }
    messages.push(markedTurn(results));
    unmarkEarlierTurns(messages);
  }
  return { kind: 'invalid', reason: `the agent used its ${maxTurns} turns (proposer.maxTurns) without calling submit_change`, ...common() };
}

/** A user turn whose last block is a cache breakpoint. */
function markedTurn(blocks: Array<Anthropic.ToolResultBlockParam | Anthropic.TextBlockParam>): Anthropic.MessageParam {
  const last = blocks.length - 1;
  return { role: 'user', content: blocks.map((b, i) => (i === last ? { ...b, cache_control: { type: 'ephemeral' } } : b)) };
}

/**
 * Keeps the breakpoints within the API's four: the first turn's two and the newest
 * turn's. The cache still serves the earlier turns, whose prefixes it wrote before.
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
