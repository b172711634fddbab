import type Anthropic from '@anthropic-ai/sdk';
import validateInput from '../../../schema/propose-change.generated.cjs';
import type { Config } from '../config/config';
import { addUsage, NO_USAGE, type Usage } from '../../shared/usage';
import { asDiagnosis, DIAGNOSIS_FIELDS } from '../../shared/diagnosis';
import { applyEdits } from './edits';
import { PROPOSE_CHANGE_INPUT } from './proposeChangeInput';
import type { ModelClient } from './modelClient';
import type { PromptParts } from './proposalPrompt';
import { firstTurn, systemBlocks } from './promptMessages';
import type { Proposal, ProposalOutcome, ProposalRequest } from './proposer';

const TOOL_NAME = 'propose_change';

const TOOL: Anthropic.Tool = {
  name: TOOL_NAME,
  description: 'Propose one change to the agent: first your diagnosis, then a title, the reasoning behind it, and search/replace edits to editable files.',
  input_schema: PROPOSE_CHANGE_INPUT,
};

/**
 * Single mode: one forced `propose_change` call per candidate. An unusable reply
 * (invalid input, a search that does not match once, no call) gets one corrective
 * turn; a second one fails the candidate.
 */
export async function singleShot(client: ModelClient, model: string, config: Config, request: ProposalRequest, prompt: PromptParts): Promise<ProposalOutcome> {
  const messages: Anthropic.MessageParam[] = [firstTurn(prompt)];
  let usage: Usage = NO_USAGE;
  const common = (): { usage: Usage; leftOut: PromptParts['leftOut']; model: string } => ({ usage, leftOut: prompt.leftOut, model });
  const maxTokens = config.proposer.maxOutputTokens ?? 8192;
  for (let turn = 1; ; turn++) {
    const called = await client.create(
      { model, max_tokens: maxTokens, system: systemBlocks(prompt), tools: [TOOL], tool_choice: { type: 'tool', name: TOOL_NAME }, messages },
      request.signal,
    );
    if ('fatal' in called) throw called.fatal;
    if ('reason' in called) return { kind: 'error', reason: called.reason, ...common() };
    usage = addUsage(usage, called.usage);
    const { reply } = called;
    const call = reply.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === TOOL_NAME);
    const checked = call ? await check(call.input, request) : { problem: 'the reply did not call propose_change' };
    if ('proposal' in checked) return { kind: 'proposal', proposal: checked.proposal, ...common() };
    const { problem, hint } = checked;
    if (turn === 2) return { kind: 'invalid', reason: problem, ...common() };
    // One corrective turn: the model sees what was wrong and answers again.
    const cut = reply.stop_reason === 'max_tokens' ? ` (the reply was cut at ${maxTokens} tokens, proposer.maxOutputTokens: answer shorter)` : '';
    messages.push({ role: 'assistant', content: reply.content });
    messages.push({
      role: 'user',
      content: call
        ? [{ type: 'tool_result', tool_use_id: call.id, is_error: true, content: `${problem}${cut}. Call propose_change again with a corrected change.${hint ? `\n${hint}` : ''}` }]
        : [{ type: 'text', text: `${problem}${cut}. Answer by calling propose_change.` }],
    });
  }
}

/** The proposal in a tool input, or why it cannot be used. */
async function check(input: unknown, request: ProposalRequest): Promise<{ proposal: Proposal } | { problem: string; hint?: string }> {
  if (!validateInput(input)) {
    return { problem: `the propose_change input is invalid: ${(validateInput.errors ?? []).map((e) => `${e.instancePath || 'input'} ${e.message}`).join('; ')}` };
  }
  // The schema takes "  " as a field; the diagnosis is read as submit_change reads it, blank fields refused.
  const diagnosis = asDiagnosis(input.diagnosis);
  if (!diagnosis) return { problem: `the propose_change diagnosis needs ${DIAGNOSIS_FIELDS.join(', ')}, each a sentence or two` };
  const applied = await applyEdits(input.edits, (file) => request.readFile(request.parent.commit, file));
  return applied.ok ? { proposal: { ...input, diagnosis } } : { problem: applied.reason, ...(applied.hint ? { hint: applied.hint } : {}) };
}
