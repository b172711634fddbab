import type Anthropic from '@anthropic-ai/sdk';
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
} from '@anthropic-ai/sdk/error';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';
import { Models } from '@anthropic-ai/sdk/resources/models';
import type { Config } from '../config/config';
import { runtimeError } from '../common/errors';
import type { Usage } from '../../shared/usage';
import { costOf, pricingFor } from './pricing';

export interface ModelClientOptions {
  apiKey: string;
  baseURL?: string;
}

/** What a failed call means: a reason that fails this candidate only, or an error no retry can fix. */
export type CallFailure = { reason: string } | { fatal: Error };

/**
 * The SDK's client with the two APIs aiai calls. Its default export, `Anthropic`, makes
 * every API of the SDK (beta, organization, files, skills...): bundled, that is about
 * 300 KB of the extension and the CLI that nothing here calls.
 */
class MessagesClient extends BaseAnthropic {
  readonly messages = new Messages(this);
  readonly models = new Models(this);
}

/**
 * The Anthropic SDK as the proposers use it: one client (the SDK retries 429, 529,
 * 5xx and dropped connections, honouring retry-after), prices per model, and what a
 * failure means for the loop.
 */
export class ModelClient {
  private readonly client: MessagesClient;
  private readonly checked = new Set<string>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly config: Config,
    options: ModelClientOptions,
  ) {
    this.client = new MessagesClient({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      maxRetries: config.proposer.maxRetries ?? 4,
      timeout: (config.proposer.timeoutSec ?? 180) * 1000,
    });
  }

  /** One Messages call; a failure is returned, never thrown, except when stopped. */
  async create(params: Anthropic.MessageCreateParamsNonStreaming, signal: AbortSignal): Promise<{ reply: Anthropic.Message; usage: Usage } | CallFailure> {
    try {
      const reply = await this.warningOnce(() => this.client.messages.create(wellFormed(params), { signal }));
      return { reply, usage: this.usageOf(params.model, reply.usage) };
    } catch (error) {
      return this.failureOf(error, params.model);
    }
  }

  /**
   * Runs `call` with each of the SDK's warnings said once per client, so once per run.
   * The SDK warns of a deprecated model with console.warn on every call, past its
   * `logger` option; it does so before its first await, so the swap lasts only the
   * synchronous start of the call and no other code can see it.
   */
  private warningOnce<T>(call: () => T): T {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      const said = args.map(String).join(' ');
      if (this.warned.has(said)) return;
      this.warned.add(said);
      warn(...args);
    };
    try {
      return call();
    } finally {
      console.warn = warn;
    }
  }

  usageOf(model: string, u: Anthropic.Usage): Usage {
    const tokens = {
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cacheCreationTokens: u.cache_creation_input_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
    };
    return { ...tokens, costUsd: costOf(tokens, pricingFor(model, this.config.proposer.pricing)) };
  }

  /**
   * Says, once per model, when the Models API reports it deprecated or retired. An
   * endpoint without a Models API (many compatible servers) or without lifecycle
   * data gets no word: nothing is said that is not known.
   */
  async modelNotices(model: string): Promise<string[]> {
    if (this.checked.has(model)) return [];
    this.checked.add(model);
    try {
      const info = await this.client.models.retrieve(model);
      const lifecycle = (info as { lifecycle?: unknown }).lifecycle;
      if (lifecycle !== 'deprecated' && lifecycle !== 'retired') return [];
      return [`the model ${model} is ${lifecycle}${info.deprecated_at ? ` since ${info.deprecated_at.slice(0, 10)}` : ''}; set another in proposer.model`];
    } catch (error) {
      if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) throw this.fatal(error, model);
      return [];
    }
  }

  private failureOf(error: unknown, model: string): CallFailure {
    if (error instanceof AuthenticationError || error instanceof PermissionDeniedError || error instanceof NotFoundError || error instanceof BadRequestError) {
      return { fatal: this.fatal(error, model) };
    }
    if (error instanceof APIUserAbortError) return { reason: 'stopped' };
    if (error instanceof APIConnectionTimeoutError) return { reason: 'the model call timed out' };
    if (error instanceof APIConnectionError) return { reason: `the connection to the model failed: ${error.message}` };
    if (error instanceof APIError) return { reason: `the model API answered ${error.status ?? 'an error'} after retries: ${error.message}` };
    return { reason: String(error) };
  }

  private fatal(error: APIError, model: string): Error {
    if (error.status === 401 || error.status === 403) {
      return runtimeError(
        `the Anthropic API refused the API key (${error.status}). Set a valid key: ANTHROPIC_API_KEY in the terminal, or "AIAI: Set Anthropic API Key" in VS Code. Nothing recorded was lost.`,
      );
    }
    if (error.status === 404) return runtimeError(`the model endpoint answered 404 for the model "${model}": ${error.message}; check proposer.model and proposer.baseUrl in .aiai/config.json`);
    return runtimeError(`the Anthropic API refused the request (${error.status}): ${error.message}`);
  }
}

/**
 * A lone surrogate: what stands for a byte that is not UTF-8 in a file's text
 * (`git/bytes.ts`), or what an eval's JSON may hold. JSON.stringify writes it, and
 * the API refuses the whole request as invalid JSON (a 400, which stops the run).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `value` with every lone surrogate in its strings shown as U+FFFD, as a UTF-8 decoder shows a bad byte. */
function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wellFormed(v)])) as T;
  return value;
}
