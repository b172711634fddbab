import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import type { ModelsConfig } from '../config/config';
import { addUsage, NO_USAGE, type Usage } from '../../shared/usage';
import { EvalMeter, roundUsd } from './evalMeter';
import { callUpstream, RETRYABLE } from './upstreamCall';
import { EvalBudget } from './evalBudget';
import { API_VARIABLES, upstreamsFor, upstreamUrl, type Upstream } from './upstreams';
import { UsageReader, type CallTokens } from './usageReader';
import { Slots } from './slots';

/** Who an eval run is: the stand-in key it is given names them. */
export interface Grantee {
  label: string;
  eval: string;
  repeat: number;
}

/** An eval run's access to the gateway: its variables, and its meter once it ends. */
export interface Grant {
  /** The stand-in key, which the gateway alone can trade for the real one. */
  token: string;
  /** ANTHROPIC_BASE_URL, OPENAI_BASE_URL and their keys, for the gateway at `host`. */
  env(host?: string): Record<string, string>;
  /** The unix socket a sandbox without network reaches the gateway through, and the port it serves there. */
  socket: string;
  port: number;
  /** Where other machines reach the gateway, when it listens for them. */
  remote: { host: string; port: number } | undefined;
  /** Revokes the key; what the eval's calls used. */
  end(): EvalMeter;
}

/** What evaluations spent on model calls in a run. */
export type EvalSpend = Usage & { calls: number };

export const NO_SPEND: EvalSpend = { ...NO_USAGE, calls: 0 };

export interface GatewayOptions {
  models: ModelsConfig;
  /** aiai's own environment: the upstreams and their keys. */
  env: NodeJS.ProcessEnv;
  /** budget.maxEvalCostUsd. */
  maxCostUsd?: number;
  /** An address other machines reach, for a cluster's evals, besides loopback. */
  remoteHost?: string;
}

/** Headers that belong to one connection, or to the gateway, and are not passed on. */
const OWN_HEADERS = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'x-api-key', 'authorization', 'x-aiai-case']);
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding']);
/** A request body past this is refused: no model call is this large. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The model gateway of a run: evaluations call their model through it with stand-in
 * keys that name the run, candidate and eval. It checks the stand-in, puts the real
 * key in its place, forwards to the upstream byte for byte (streams included),
 * meters each call against the eval that made it, and holds the run's evaluation
 * budget. The real key never leaves this process.
 */
export class ModelGateway {
  private readonly grants = new Map<string, { who: Grantee; meter: EvalMeter }>();
  private readonly servers: http.Server[] = [];
  private readonly upstreams: Record<'anthropic' | 'openai', Upstream>;
  private readonly slots: Slots;
  private spendTotal: EvalSpend = NO_SPEND;
  private readonly budget: EvalBudget;
  private run = 'run';
  private onSpend: (spent: EvalSpend) => void = () => {};

  private constructor(
    private readonly options: GatewayOptions,
    readonly socket: string,
    readonly port: number,
    readonly remote: { host: string; port: number } | undefined,
    /** Why other machines cannot reach the gateway, when they cannot. */
    readonly remoteProblem: string | undefined,
  ) {
    this.upstreams = upstreamsFor(options.models, options.env);
    this.slots = new Slots(options.models.maxConcurrent);
    this.budget = new EvalBudget(options.maxCostUsd);
  }

  /**
   * Meters for a run, once it has an id: its stand-in keys name it, what it spent
   * before (a resumed run) counts against its budget, and `onSpend` hears the total
   * after each eval run.
   */
  meterFor(run: string, spent: EvalSpend | undefined, onSpend: (spent: EvalSpend) => void): void {
    this.run = run;
    this.spendTotal = spent ?? NO_SPEND;
    this.budget.resume(this.spendTotal.costUsd);
    this.onSpend = onSpend;
  }

  /** Serves on loopback and on a unix socket (and on `remoteHost` when given) until `close`. */
  static async open(options: GatewayOptions): Promise<ModelGateway> {
    // A unix socket's path has about 100 bytes: a long TMPDIR falls back to /tmp.
    const folder = mkdtempSync(path.join(os.tmpdir().length <= 60 ? os.tmpdir() : '/tmp', 'aiai-gateway-'));
    const socket = path.join(folder, 'gateway.sock');
    let gateway: ModelGateway | undefined;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      gateway?.handle(req, res).catch(() => res.destroy());
    };
    const servers = [http.createServer(handler), http.createServer(handler)];
    const loopback = await listen(servers[0]!, { host: '127.0.0.1', port: 0 });
    await listen(servers[1]!, { path: socket });
    let remote: { host: string; port: number } | undefined;
    let remoteProblem: string | undefined;
    if (options.remoteHost === '127.0.0.1' || options.remoteHost === 'localhost') {
      remote = { host: options.remoteHost, port: loopback.port };
    } else if (options.remoteHost !== undefined) {
      const server = http.createServer(handler);
      try {
        remote = { host: options.remoteHost, port: (await listen(server, { host: options.remoteHost, port: 0 })).port };
        servers.push(server);
      } catch (error) {
        remoteProblem = `the model gateway cannot listen on ${options.remoteHost} (${(error as Error).message}): evaluations on other machines cannot reach their model; set models.gatewayHost to an address of this machine that they reach`;
      }
    }
    gateway = new ModelGateway(options, socket, loopback.port, remote, remoteProblem);
    gateway.servers.push(...servers);
    return gateway;
  }

  /** A stand-in key for one eval run, valid until its `end`. */
  grant(who: Grantee): Grant {
    const token = ['aiai', safe(this.run), safe(who.label), safe(who.eval), String(who.repeat), randomBytes(18).toString('hex')].join('-');
    const meter = new EvalMeter(this.options.models.pricing);
    this.grants.set(token, { who, meter });
    return {
      token,
      socket: this.socket,
      port: this.port,
      remote: this.remote,
      env: (host = '127.0.0.1') => {
        const port = host === this.remote?.host ? this.remote.port : this.port;
        const at = `http://${host}:${port}`;
        return {
          [API_VARIABLES.anthropic.baseUrl]: `${at}${this.upstreams.anthropic.prefix}`,
          [API_VARIABLES.anthropic.key]: token,
          [API_VARIABLES.openai.baseUrl]: `${at}${this.upstreams.openai.prefix}`,
          [API_VARIABLES.openai.key]: token,
        };
      },
      end: () => {
        this.grants.delete(token);
        this.onSpend(this.spendTotal);
        return meter;
      },
    };
  }

  /** What evaluations spent so far in the run. */
  get spent(): EvalSpend {
    return this.spendTotal;
  }

  /** Why another call would break budget.maxEvalCostUsd, if it would. */
  budgetProblem(): string | undefined {
    return this.budget.problem();
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    })));
    rmSync(path.dirname(this.socket), { recursive: true, force: true });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const target = upstreamUrl(this.upstreams, req.url ?? '/');
    if (!target) return refuse(res, 404, 'not_found_error', `aiai model gateway: no API at ${req.url ?? '/'}; use ANTHROPIC_BASE_URL or OPENAI_BASE_URL as given`);
    const grant = this.grants.get(standIn(req.headers) ?? '');
    if (!grant) return refuse(res, 401, 'authentication_error', 'aiai model gateway: this key is not one aiai gave to a running evaluation; use ANTHROPIC_API_KEY or OPENAI_API_KEY as given');
    const body = await readBody(req);
    if (!body) return refuse(res, 413, 'request_too_large', `aiai model gateway: the request is larger than ${MAX_BODY_BYTES} bytes`);
    const caseId = header(req.headers, 'x-aiai-case');
    const gone = new AbortController();
    res.on('close', () => {
      // A call that ended normally closes too; only one whose eval went away is ended.
      if (!res.writableFinished) gone.abort();
    });
    const release = await this.slots.take(gone.signal);
    if (!release) return;
    // Checked once the call may go: calls that waited for a slot may have spent it meanwhile.
    const reservation = this.budget.reserve();
    if (!reservation) {
      release();
      grant.meter.refusedForBudget++;
      const why = this.budget.problem() ?? 'evaluation budget: the calls in flight may spend what is left of budget.maxEvalCostUsd';
      return refuse(res, 429, 'rate_limit_error', `aiai model gateway: ${why}; the run stops. Raise budget.maxEvalCostUsd in .aiai/config.json to go on.`, { 'x-should-retry': 'false' });
    }
    const metered = isModelCall(target.url);
    let status: number | undefined;
    let reader: UsageReader | undefined;
    let tokens: CallTokens | undefined;
    try {
      const response = await callUpstream({
        method: req.method ?? 'GET',
        url: target.url,
        headers: upstreamHeaders(req.headers, target.upstream, body.length),
        body,
        maxRetries: this.options.models.maxRetries,
        signal: gone.signal,
      });
      status = response.statusCode;
      if (status === 401 || status === 403) {
        // The upstream's own words may quote part of the real key: the eval gets the gateway's.
        response.resume();
        const key = target.upstream.key === undefined ? `${target.upstream.keyEnv} is not set in aiai's environment` : `check ${target.upstream.keyEnv} in aiai's environment`;
        return refuse(res, status, 'authentication_error', `aiai model gateway: the upstream at ${target.upstream.base.origin} refused aiai's key (${status}): ${key}`);
      }
      const stream = String(response.headers['content-type'] ?? '').includes('text/event-stream');
      reader = metered && status !== undefined && status < 300 ? new UsageReader(target.upstream.kind, stream) : undefined;
      res.writeHead(response.statusCode ?? 502, response.statusMessage, passedHeaders(response.rawHeaders, status));
      await passOn(response, res, reader);
    } catch (error) {
      if (!res.headersSent) refuse(res, 502, 'api_error', `aiai model gateway: the upstream at ${target.upstream.base.origin} could not be reached: ${(error as Error).message}`);
      else res.destroy();
    } finally {
      release();
      tokens = reader?.end();
      const metering = metered && (!gone.signal.aborted || status !== undefined);
      reservation.settle(metering ? this.meter(grant.meter, { caseId, tokens, latencyMs: Date.now() - started, status }) : undefined, tokens);
    }
  }

  /** Counts a model call against its eval and the run; returns its cost, undefined when unknown. */
  private meter(meter: EvalMeter, call: Parameters<EvalMeter['record']>[0]): number | undefined {
    const cost = meter.record(call);
    const tokens = call.tokens;
    const usage: Usage = tokens
      ? { inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens, cacheCreationTokens: tokens.cacheCreationTokens, cacheReadTokens: tokens.cacheReadTokens, costUsd: roundUsd(cost ?? 0) }
      : NO_USAGE;
    this.spendTotal = { ...addUsage(this.spendTotal, usage), calls: this.spendTotal.calls + 1 };
    return cost;
  }
}

/** Copies the upstream's answer to the eval, and a decoded copy to the usage reader. */
function passOn(response: http.IncomingMessage, res: http.ServerResponse, reader: UsageReader | undefined): Promise<void> {
  const decoder = reader ? decoderFor(String(response.headers['content-encoding'] ?? '')) : undefined;
  if (reader) {
    if (decoder) {
      decoder.on('data', (chunk: Buffer) => reader.push(chunk));
      decoder.on('error', () => {});
    }
    response.on('data', (chunk: Buffer) => (decoder ? decoder.write(chunk) : reader.push(chunk)));
  }
  return new Promise((resolve, reject) => {
    pipeline(response, res, (error) => {
      if (!decoder) return error ? reject(error) : resolve();
      decoder.end(() => (error ? reject(error) : resolve()));
    });
  });
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  if (encoding === 'gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined;
}

/** The eval's headers for the upstream: its own, less the connection's and the stand-in, plus the real key. */
function upstreamHeaders(incoming: http.IncomingHttpHeaders, upstream: Upstream, length: number): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) if (value !== undefined && !OWN_HEADERS.has(name)) headers[name] = value;
  headers['content-length'] = length;
  if (upstream.key !== undefined) {
    if (upstream.kind === 'anthropic') headers['x-api-key'] = upstream.key;
    else headers.authorization = `Bearer ${upstream.key}`;
  }
  return headers;
}

/**
 * The upstream's answer headers, less those of its connection (this one has its own);
 * an answer the gateway already retried tells the SDKs not to retry it once more.
 */
function passedHeaders(raw: string[], status: number | undefined): string[] {
  const retriedOut = status !== undefined && RETRYABLE.has(status);
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!CONNECTION_HEADERS.has(name) && !(retriedOut && name === 'x-should-retry')) kept.push(raw[i]!, raw[i + 1]!);
  }
  return retriedOut ? [...kept, 'x-should-retry', 'false'] : kept;
}

/** The calls that make a model answer, metered as model calls; count_tokens and the Models API are passed on unmetered. */
function isModelCall(url: URL): boolean {
  return /\/(?:messages|chat\/completions|completions)$/.test(url.pathname);
}

/** The stand-in an eval sent: Anthropic's x-api-key, or a bearer token. */
function standIn(headers: http.IncomingHttpHeaders): string | undefined {
  return header(headers, 'x-api-key') ?? /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '')?.[1];
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An error in the shape both APIs' SDKs read, with the message a person needs. */
function refuse(res: http.ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: 'error', error: { type, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

function listen(server: http.Server, at: { host: string; port: number } | { path: string }): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, () => resolve(server.address() as AddressInfo));
  });
}

/** A part of a stand-in key: letters, digits, dots and underscores. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._]/g, '_');
}
