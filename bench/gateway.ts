// The model gateway's figures for `npm run bench`, or alone: `npm run bench:gateway`, which rewrites only its section of BENCHMARKS.md.
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModelGateway } from '../src/core/gateway/gateway';
import { ROOT } from '../test/helpers';
import { writeSection } from './benchmarksFile';

export const GATEWAY_HEADING = '## The model gateway';

export interface GatewayFigures {
  /** Timed calls of each kind (after the warm-up), and the warm-up. */
  calls: number;
  warmup: number;
  /** Per-call latency of a non-streaming call, in ms: median and p95, straight to the upstream and through the gateway. */
  direct: { median: number; p95: number };
  gateway: { median: number; p95: number };
  /** Median and p95 of the paired differences (each gateway call less the direct call made beside it). */
  paired: { median: number; p95: number };
  /** Streaming calls at once, calls per round, rounds per side. */
  concurrency: number;
  total: number;
  rounds: number;
  /** Calls per second at that concurrency: the median round of each side. */
  directPerSecond: number;
  gatewayPerSecond: number;
  machine: string;
}

/** A call as small as a real one gets: a short system prompt the simulated model answers with one word. */
const ASK = {
  model: 'claude-haiku-4-5',
  max_tokens: 16,
  system: 'Routes: billing, refund. Answer with the route name only.',
  messages: [{ role: 'user', content: 'I was charged twice' }],
};

/**
 * The eval's side, in a thread of its own as an eval's agent is a process of its own:
 * the real Anthropic SDK (keep-alive, as by default), one client straight to the
 * upstream and one through the gateway. Plain JavaScript: a worker does not load tsx.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const Anthropic = require(workerData.sdk);
const ASK = workerData.ask;
const clients = {
  direct: new Anthropic({ apiKey: 'sk-ant-direct', baseURL: workerData.direct, maxRetries: 0 }),
  gateway: new Anthropic({ apiKey: workerData.standIn, baseURL: workerData.gateway, maxRetries: 0 }),
};
async function timed(client) {
  const start = performance.now();
  const answer = await client.messages.create(ASK);
  const ms = performance.now() - start;
  if (answer.content[0]?.type !== 'text') throw new Error('no answer');
  return ms;
}
parentPort.on('message', async (job) => {
  try {
    if (job.op === 'latency') {
      const out = { direct: [], gateway: [] };
      for (let i = 0; i < job.warmup + job.calls; i++) {
        // Alternate which goes first, so that neither side always follows the other.
        const order = i % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
        for (const side of order) {
          const ms = await timed(clients[side]);
          if (i >= job.warmup) out[side].push(ms);
        }
      }
      parentPort.postMessage(out);
    } else {
      const client = clients[job.side];
      const each = job.total / job.concurrency;
      const start = performance.now();
      await Promise.all(Array.from({ length: job.concurrency }, async () => {
        for (let i = 0; i < each; i++) await client.messages.stream(ASK).finalMessage();
      }));
      parentPort.postMessage({ ms: performance.now() - start });
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.stack || error) });
  }
});
`;

/** The upstream, in a thread of its own as a real API is elsewhere: the simulated model of scripts/simulated-model.mjs. */
const UPSTREAM = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(async ({ startSimulatedModel }) => {
  const model = await startSimulatedModel({ port: 0 });
  parentPort.postMessage({ url: model.url });
  parentPort.once('message', () => model.close().then(() => parentPort.postMessage({ closed: true })));
}, (error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

function ask<T>(worker: Worker, job?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', (answer: T & { error?: string }) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
    if (job !== undefined) worker.postMessage(job);
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * The gateway's added latency and its throughput, on loopback: the upstream (the
 * simulated model), the gateway (here, as in aiai's process) and the eval's SDK
 * client each in a thread of their own. Latency: `calls` non-streaming calls straight
 * to the upstream and as many through the gateway, interleaved one by one, after
 * `warmup` of each. Throughput: `concurrency` streaming calls at once until `total`
 * are done, each side `rounds` times, alternating, after a warm-up round of each.
 */
export async function gatewayFigures(options: { calls?: number; warmup?: number; concurrency?: number; total?: number; rounds?: number; log?: (line: string) => void } = {}): Promise<GatewayFigures> {
  const { calls = 400, warmup = 50, concurrency = 32, total = 640, rounds = 5, log = console.log } = options;
  const upstream = new Worker(UPSTREAM, { eval: true, workerData: { module: pathToFileURL(path.join(ROOT, 'scripts', 'simulated-model.mjs')).href } });
  let client: Worker | undefined;
  let gw: ModelGateway | undefined;
  try {
    const { url } = await ask<{ url: string }>(upstream);
    gw = await ModelGateway.open({ models: { anthropic: {}, openai: {}, maxRetries: 0, pricing: {} }, env: { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-bench' } });
    gw.meterFor('bench', undefined, () => {});
    const grant = gw.grant({ label: 'bench', eval: 'latency', repeat: 1 });
    const env = grant.env();
    client = new Worker(CLIENT, {
      eval: true,
      workerData: { sdk: require.resolve('@anthropic-ai/sdk'), ask: ASK, direct: url, gateway: env.ANTHROPIC_BASE_URL, standIn: env.ANTHROPIC_API_KEY },
    });
    const latency = await ask<{ direct: number[]; gateway: number[] }>(client, { op: 'latency', calls, warmup });
    const paired = latency.gateway.map((ms, i) => ms - latency.direct[i]!);
    const stats = (values: number[]): { median: number; p95: number } => ({ median: quantile(values, 0.5), p95: quantile(values, 0.95) });
    const throughput = async (side: 'direct' | 'gateway'): Promise<number> => total / ((await ask<{ ms: number }>(client!, { op: 'throughput', side, concurrency, total })).ms / 1000);
    await throughput('direct');
    await throughput('gateway');
    const perSecond: Record<'direct' | 'gateway', number[]> = { direct: [], gateway: [] };
    for (let i = 0; i < rounds; i++) for (const side of ['direct', 'gateway'] as const) perSecond[side].push(await throughput(side));
    const metered = grant.end().metrics();
    const expected = warmup + calls + (rounds + 1) * total;
    if (metered['model.calls'] !== expected) throw new Error(`the gateway metered ${metered['model.calls']} calls, not ${expected}`);
    const figures: GatewayFigures = {
      calls,
      warmup,
      direct: stats(latency.direct),
      gateway: stats(latency.gateway),
      paired: stats(paired),
      concurrency,
      total,
      rounds,
      directPerSecond: quantile(perSecond.direct, 0.5),
      gatewayPerSecond: quantile(perSecond.gateway, 0.5),
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    };
    log(`gateway latency: direct ${figures.direct.median.toFixed(2)} / ${figures.direct.p95.toFixed(2)} ms, through the gateway ${figures.gateway.median.toFixed(2)} / ${figures.gateway.p95.toFixed(2)} ms (median / p95)`);
    log(`gateway throughput at ${concurrency} streams: direct ${perSecond.direct.map((n) => n.toFixed(0)).join(', ')} calls/s, through the gateway ${perSecond.gateway.map((n) => n.toFixed(0)).join(', ')} calls/s`);
    return figures;
  } finally {
    await client?.terminate();
    await gw?.close();
    await ask(upstream, 'close').catch(() => undefined);
    await upstream.terminate();
  }
}

const ms = (n: number): string => `${n.toFixed(2)} ms`;

/** BENCHMARKS.md's section on the gateway. */
export function gatewaySection(f: GatewayFigures): string {
  const added = f.gateway.median - f.direct.median;
  return `${GATEWAY_HEADING}

Made by \`npm run bench\` (or alone, \`npm run bench:gateway\`) on ${new Date().toISOString().slice(0, 10)}; machine: ${f.machine}.
Target: the gateway adds at most 2 ms per call at the median.

| figure | value |
|---|---|
| added latency per call: median through the gateway less median direct (target ≤ 2 ms) | ${ms(added)} |
| added latency per call at p95: p95 through the gateway less p95 direct | ${ms(f.gateway.p95 - f.direct.p95)} |
| per-call latency, non-streaming, direct: median / p95 | ${ms(f.direct.median)} / ${ms(f.direct.p95)} |
| per-call latency, non-streaming, through the gateway: median / p95 | ${ms(f.gateway.median)} / ${ms(f.gateway.p95)} |
| paired difference (each gateway call less the direct call beside it): median / p95 | ${ms(f.paired.median)} / ${ms(f.paired.p95)} |
| throughput, ${f.concurrency} concurrent streaming calls, ${f.total} calls a round, median of ${f.rounds} rounds: direct vs through the gateway | ${f.directPerSecond.toFixed(0)} vs ${f.gatewayPerSecond.toFixed(0)} calls/s (${((f.gatewayPerSecond / f.directPerSecond) * 100).toFixed(0)}%) |

Method (\`bench/gateway.ts\`): the upstream is the simulated model (\`scripts/simulated-model.mjs\`, the Anthropic
Messages API on loopback), asked with a short system prompt that it answers with one word. The gateway runs in the
bench's main thread, as it does in aiai's process, with the simulated model as its upstream; the eval's side is the
real \`@anthropic-ai/sdk\` client (keep-alive, as by default), in a worker thread of its own, as an eval's agent is a
process of its own; the simulated model has a thread of its own too. Latency: ${f.warmup} warm-up calls of each kind,
then ${f.calls} non-streaming calls straight to the upstream and ${f.calls} through the gateway with a stand-in key,
interleaved one by one (which goes first alternates), timed in the client around \`messages.create\`; both sides pay
the SDK's own time. Throughput: ${f.concurrency} calls at once of \`messages.stream(...).finalMessage()\`, each of
${f.concurrency} workers calling in turn until ${f.total} are done, direct and through the gateway in turn, ${f.rounds} rounds
each after a warm-up round of each. The gateway meters every call (the bench checks its count); three threads
share the machine's ${os.cpus().length} cores. What the gateway adds is mostly the extra hop itself: per call, one more request and
answer on loopback, and two more hand-overs between threads, besides the gateway's own work on the call.
`;
}

if (require.main === module) {
  void gatewayFigures().then((f) => writeSection(path.join(ROOT, 'BENCHMARKS.md'), GATEWAY_HEADING, gatewaySection(f)));
}
