import * as http from 'node:http';
import * as https from 'node:https';
import { pause } from '../common/pause';

/** Statuses that mean "later": rate limited, overloaded (Anthropic's 529), unavailable. */
export const RETRYABLE = new Set([429, 503, 529]);
/** The longest wait the gateway honours before a retry. */
const MAX_WAIT_MS = 60_000;

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export interface UpstreamRequest {
  method: string;
  url: URL;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
  maxRetries: number;
  /** Ends the call, and any wait before a retry, when the eval goes away. */
  signal: AbortSignal;
}

/**
 * Sends a call upstream and gives back the answer to pass on: a 429, 529 or 503 is
 * tried again, after the wait its retry-after asks for or a growing backoff, up to
 * `maxRetries` times; the last answer, whatever it is, is the one passed on.
 */
export async function callUpstream(request: UpstreamRequest): Promise<http.IncomingMessage> {
  for (let attempt = 0; ; attempt++) {
    const response = await send(request);
    const status = response.statusCode ?? 0;
    if (!RETRYABLE.has(status) || attempt >= request.maxRetries) return response;
    response.resume();
    await pause(waitMs(response.headers, attempt), request.signal);
  }
}

function send({ method, url, headers, body, signal }: UpstreamRequest): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const outgoing = transport.request(url, { method, headers, agent: agents[url.protocol as keyof typeof agents], signal }, resolve);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** What the upstream asked to wait (retry-after-ms, retry-after in seconds or as a date), else 0.5 s doubling, with jitter. */
function waitMs(headers: http.IncomingHttpHeaders, attempt: number): number {
  const ms = Number(headers['retry-after-ms']);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_WAIT_MS);
  const after = headers['retry-after'];
  if (after !== undefined) {
    const seconds = Number(after);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_WAIT_MS);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - Date.now()), MAX_WAIT_MS);
  }
  return Math.min(500 * 2 ** attempt, 8000) * (0.75 + Math.random() * 0.5);
}
