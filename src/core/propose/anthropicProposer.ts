import type Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config/config';
import { seededRandom } from '../common/random';
import { agentConversation } from './agentConversation';
import { reflect } from './lessonsPrompt';
import { ModelClient, type ModelClientOptions } from './modelClient';
import { buildPrompt } from './proposalPrompt';
import type { ProposalOutcome, ProposalRequest, Proposer, ReflectionRequest } from './proposer';
import { singleShot } from './singleShot';

/** A current model of the SDK's own list (`Anthropic.Model`), none of those it marks deprecated. */
export const DEFAULT_MODEL: Anthropic.Model = 'claude-sonnet-5-5';

/**
 * The model proposer, through the Anthropic SDK: in agent mode (the default) a
 * conversation with tools over a draft, in single mode one `propose_change` call.
 * With an ensemble (`proposer.models`) each proposal draws its model by weight.
 */
export class AnthropicProposer implements Proposer {
  readonly name: string;
  private readonly client: ModelClient;
  private readonly models: Array<{ model: string; weight: number }>;
  private readonly random: () => number;

  constructor(
    private readonly config: Config,
    options: ModelClientOptions,
  ) {
    const { models, model, seed } = config.proposer;
    this.models = models?.map((m) => ({ model: m.model, weight: m.weight ?? 1 })) ?? [{ model: model ?? DEFAULT_MODEL, weight: 1 }];
    this.name = `anthropic:${this.models.map((m) => m.model).join('+')}`;
    this.random = seededRandom(seed ?? Date.now());
    this.client = new ModelClient(config, options);
  }

  async propose(request: ProposalRequest): Promise<ProposalOutcome> {
    const model = this.drawModel();
    const notices = await this.client.modelNotices(model);
    const mode = this.config.proposer.mode ?? 'agent';
    const prompt = await buildPrompt(this.config, request, mode);
    const outcome = await (mode === 'agent' ? agentConversation : singleShot)(this.client, model, this.config, request, prompt);
    return notices.length > 0 ? { ...outcome, notices: [...(outcome.notices ?? []), ...notices] } : outcome;
  }

  reflect(request: ReflectionRequest): ReturnType<NonNullable<Proposer['reflect']>> {
    // The strongest voice writes the lessons: the model with the largest weight.
    const model = this.models.reduce((a, b) => (b.weight > a.weight ? b : a)).model;
    return reflect(this.client, model, this.config, request);
  }

  private drawModel(): string {
    let pick = this.random() * this.models.reduce((n, m) => n + m.weight, 0);
    for (const m of this.models) {
      pick -= m.weight;
      if (pick <= 0) return m.model;
    }
    return this.models.at(-1)?.model ?? DEFAULT_MODEL;
  }
}
