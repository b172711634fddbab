import Anthropic from '@anthropic-ai/sdk';
import Ajv from 'ajv';
import type { Config, Pricing } from '../config/config';
import { applyEdits } from './edits';
import { runtimeError } from '../common/errors';
import { buildPrompt } from './proposalPrompt';
import type { Proposal, ProposalOutcome, ProposalRequest, Proposer } from './proposer';
import { addUsage, NO_USAGE, type Usage } from '../../shared/usage';
import { costOf, pricingFor } from './pricing';

/** A current model of the SDK's own list (`Anthropic.Model`), none of those it marks deprecated. */
export const DEFAULT_MODEL: Anthropic.Model = 'claude-sonnet-5-5';

const TOOL_NAME = 'propose_change';

const TOOL: Anthropic.Tool = {
  name: TOOL_NAME,
  description: 'Propose one change to the agent: a title, the reasoning behind it, and search/replace edits to editable files.',
  input_schema: {
    type: 'object',
    additionalProperties: false,
    required: ['title', 'rationale', 'edits'],
    properties: {
      title: { type: 'string', minLength: 1, description: 'A short imperative summary, like a commit subject.' },
      rationale: { type: 'string', minLength: 1, description: 'What you expect to improve, and why.' },
      edits: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'search', 'replace'],
          properties: {
            path: { type: 'string', description: 'Workspace-relative path of an editable file.' },
            search: { type: 'string', description: 'Text copied exactly from the file, occurring once; empty to create a new file.' },
            replace: { type: 'string', description: 'The text that replaces it.' },
          },
        },
      },
    },
  },
};

const validateInput = new Ajv({ allErrors: true }).compile<Proposal>(TOOL.input_schema);

export interface AnthropicProposerOptions {
  apiKey: string;
  baseURL?: string;
}

/**
 * The model proposer: one forced `propose_change` tool call per candidate, over a
 * prompt whose stable prefix (system, tool, files at the run's base) is marked for
 * the prompt cache. An unusable reply gets one corrective turn.
 */
export class AnthropicProposer implements Proposer {
  readonly name: string;
  private readonly client: Anthropic;
  private readonly model: string;
  private readonly pricing: Pricing;
  private checkedModel = false;

  constructor(
    private readonly config: Config,
    options: AnthropicProposerOptions,
  ) {
    this.model = config.proposer.model ?? DEFAULT_MODEL;
    this.name = `anthropic:${this.model}`;
    this.pricing = pricingFor(this.model, config.proposer.pricing);
    this.client = new Anthropic({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      // The SDK retries 429, 529, 5xx and dropped connections, honouring retry-after.
      maxRetries: config.proposer.maxRetries ?? 4,
      timeout: (config.proposer.timeoutSec ?? 180) * 1000,
    });
  }

  async propose(request: ProposalRequest): Promise<ProposalOutcome> {
    const notices = this.checkedModel ? [] : await this.modelNotices();
    this.checkedModel = true;
    const prompt = await buildPrompt(this.config, request, 'single');
    const messages: Anthropic.MessageParam[] = [
      {
        role: 'user',
        // Two cache breakpoints: after the files (the same all run long), and after
        // the history, which each round only appends to.
        content: [
          { type: 'text', text: prompt.stable, cache_control: { type: 'ephemeral' } },
          ...prompt.history.map((text, i): Anthropic.TextBlockParam => ({
            type: 'text',
            text,
            ...(i === prompt.history.length - 1 ? { cache_control: { type: 'ephemeral' } } : {}),
          })),
          { type: 'text', text: prompt.variable },
        ],
      },
    ];
    let usage: Usage = NO_USAGE;
    const common = { leftOut: prompt.leftOut, ...(notices.length ? { notices } : {}) };
    for (let turn = 1; ; turn++) {
      let reply: Anthropic.Message;
      try {
        reply = await this.client.messages.create(
          {
            model: this.model,
            max_tokens: this.config.proposer.maxOutputTokens ?? 8192,
            system: [{ type: 'text', text: prompt.system }],
            tools: [TOOL],
            tool_choice: { type: 'tool', name: TOOL_NAME },
            messages,
          },
          { signal: request.signal },
        );
      } catch (error) {
        const failure = this.failureOf(error);
        if (failure instanceof Error) throw failure;
        return { kind: 'error', reason: failure, usage, ...common };
      }
      usage = addUsage(usage, this.usageOf(reply.usage));
      const call = reply.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === TOOL_NAME);
      const checked = call ? await this.check(call.input, request) : { problem: 'the reply did not call propose_change' };
      if ('proposal' in checked) return { kind: 'proposal', proposal: checked.proposal, usage, ...common };
      const { problem } = checked;
      if (turn === 2) return { kind: 'invalid', reason: problem, usage, ...common };
      // One corrective turn: the model sees what was wrong and answers again.
      messages.push({ role: 'assistant', content: reply.content });
      messages.push({
        role: 'user',
        content: call
          ? [{ type: 'tool_result', tool_use_id: call.id, is_error: true, content: `${problem}. Call propose_change again with a corrected change.` }]
          : [{ type: 'text', text: `${problem}. Answer by calling propose_change.` }],
      });
    }
  }

  /** The proposal in a tool input, or why it cannot be used. */
  private async check(input: unknown, request: ProposalRequest): Promise<{ proposal: Proposal } | { problem: string }> {
    if (!validateInput(input)) {
      return { problem: `the propose_change input is invalid: ${(validateInput.errors ?? []).map((e) => `${e.instancePath || 'input'} ${e.message}`).join('; ')}` };
    }
    const applied = await applyEdits(input.edits, (file) => request.readFile(request.parent.commit, file));
    return applied.ok ? { proposal: input } : { problem: applied.reason };
  }

  private usageOf(u: Anthropic.Usage): Usage {
    const tokens = {
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cacheCreationTokens: u.cache_creation_input_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
    };
    return { ...tokens, costUsd: costOf(tokens, this.pricing) };
  }

  /** Says when the configured model is deprecated or retired, by asking the Models API once. */
  private async modelNotices(): Promise<string[]> {
    try {
      const info = await this.client.models.retrieve(this.model);
      if (info.lifecycle === 'active') return [];
      return [`the model ${this.model} is ${info.lifecycle}${info.deprecated_at ? ` since ${info.deprecated_at.slice(0, 10)}` : ''}; set another in proposer.model`];
    } catch (error) {
      if (error instanceof Anthropic.AuthenticationError || error instanceof Anthropic.PermissionDeniedError) throw this.fatal(error);
      if (error instanceof Anthropic.NotFoundError) throw runtimeError(`the Anthropic API does not know the model "${this.model}"; set proposer.model in .aiai/config.json`);
      return []; // the models endpoint is optional for compatible servers
    }
  }

  /**
   * What a failed call means: a reason that fails this candidate only, or an error
   * that no retry can fix, which stops the loop.
   */
  private failureOf(error: unknown): string | Error {
    if (error instanceof Anthropic.AuthenticationError || error instanceof Anthropic.PermissionDeniedError || error instanceof Anthropic.NotFoundError || error instanceof Anthropic.BadRequestError) {
      return this.fatal(error);
    }
    if (error instanceof Anthropic.APIUserAbortError) return 'stopped';
    if (error instanceof Anthropic.APIConnectionTimeoutError) return 'the model call timed out';
    if (error instanceof Anthropic.APIConnectionError) return `the connection to the model failed: ${error.message}`;
    if (error instanceof Anthropic.APIError) return `the model API answered ${error.status ?? 'an error'} after retries: ${error.message}`;
    return String(error);
  }

  private fatal(error: InstanceType<typeof Anthropic.APIError>): Error {
    if (error.status === 401 || error.status === 403) {
      return runtimeError(
        `the Anthropic API refused the API key (${error.status}). Set a valid key: ANTHROPIC_API_KEY in the terminal, or "AIAI: Set Anthropic API Key" in VS Code. Nothing recorded was lost.`,
      );
    }
    return runtimeError(`the Anthropic API refused the request (${error.status}): ${error.message}`);
  }
}
