import { StringDecoder } from 'node:string_decoder';
import { tryParseJson } from '../common/files';

/** The two APIs the gateway forwards: Anthropic's Messages API, and OpenAI-compatible chat completions. */
export type ApiKind = 'anthropic' | 'openai';

/** What one model call used, as the upstream reported it. */
export interface CallTokens {
  model?: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

/** A JSON body past this is passed on but not read for its usage (no model answer is this large). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

/**
 * Reads the usage of one upstream answer as its bytes pass through, without holding
 * a stream: a JSON body is read whole at its end; a server-sent event stream line by
 * line, keeping the last usage each event reports (Anthropic's message_start and
 * message_delta; OpenAI's final usage chunk, sent when the request asked for it).
 */
export class UsageReader {
  private json: Buffer[] = [];
  private jsonBytes = 0;
  private partial = '';
  /** Keeps a character split across chunks whole. */
  private readonly text = new StringDecoder('utf8');
  private readonly tokens: CallTokens = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
  private seen = false;

  constructor(
    private readonly kind: ApiKind,
    private readonly stream: boolean,
  ) {}

  push(chunk: Buffer): void {
    if (!this.stream) {
      this.jsonBytes += chunk.length;
      if (this.jsonBytes <= MAX_JSON_BYTES) this.json.push(chunk);
      return;
    }
    const lines = (this.partial + this.text.write(chunk)).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.readEventLine(line);
  }

  /** The call's usage, or undefined when the answer reported none. */
  end(): CallTokens | undefined {
    if (this.stream) {
      this.readEventLine(this.partial);
    } else if (this.jsonBytes <= MAX_JSON_BYTES) {
      this.read(tryParseJson(Buffer.concat(this.json).toString('utf8')));
    }
    return this.seen ? this.tokens : undefined;
  }

  private readEventLine(line: string): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '' || data === '[DONE]') return;
    const event = tryParseJson(data) as Record<string, unknown> | undefined;
    if (!event || typeof event !== 'object') return;
    // Anthropic: message_start carries the message (model, input usage); message_delta the output so far.
    this.read(event.type === 'message_start' ? event.message : event);
  }

  private read(body: unknown): void {
    if (!body || typeof body !== 'object') return;
    const { model, usage } = body as { model?: unknown; usage?: Record<string, unknown> | null };
    if (typeof model === 'string' && model) this.tokens.model = model;
    if (!usage || typeof usage !== 'object') return;
    const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
    if (this.kind === 'anthropic') {
      // Each count, where present, is the total so far: a later event replaces an earlier one.
      this.set('inputTokens', n(usage.input_tokens));
      this.set('outputTokens', n(usage.output_tokens));
      this.set('cacheCreationTokens', n(usage.cache_creation_input_tokens));
      this.set('cacheReadTokens', n(usage.cache_read_input_tokens));
    } else {
      const details = usage.prompt_tokens_details as Record<string, unknown> | undefined;
      const cached = n(details?.cached_tokens) ?? 0;
      const prompt = n(usage.prompt_tokens);
      // OpenAI counts cached tokens inside prompt_tokens; aiai counts them apart, as Anthropic does.
      this.set('inputTokens', prompt === undefined ? undefined : prompt - Math.min(cached, prompt));
      this.set('cacheReadTokens', prompt === undefined ? undefined : Math.min(cached, prompt));
      this.set('outputTokens', n(usage.completion_tokens));
    }
  }

  private set(field: Exclude<keyof CallTokens, 'model'>, value: number | undefined): void {
    if (value === undefined) return;
    this.tokens[field] = value;
    this.seen = true;
  }
}
