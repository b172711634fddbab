import { DEFAULT_KEY_ENV, type ModelsConfig } from '../config/models';
import type { ApiKind } from './usageReader';

/** Where one API's calls go, and the real key that replaces an eval's stand-in. */
export interface Upstream {
  kind: ApiKind;
  /** What an eval's base URL adds after the gateway's address; the rest of the path goes to the upstream. */
  prefix: string;
  base: URL;
  key: string | undefined;
  /** The variable the key came from, to name when it is missing. */
  keyEnv: string;
}

/** The eval-side variables of each API: where it is, and its key. */
export const API_VARIABLES: Record<ApiKind, { baseUrl: string; key: string }> = {
  anthropic: { baseUrl: 'ANTHROPIC_BASE_URL', key: 'ANTHROPIC_API_KEY' },
  openai: { baseUrl: 'OPENAI_BASE_URL', key: 'OPENAI_API_KEY' },
};

const DEFAULT_BASE: Record<ApiKind, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
};

/**
 * The upstreams of a run: what the config's `models` names, else what aiai's own
 * environment says (its ANTHROPIC_BASE_URL and key, its OPENAI_BASE_URL and key), else
 * the providers' APIs. OpenAI-compatible base URLs carry their /v1, as their SDKs expect.
 */
export function upstreamsFor(models: ModelsConfig, env: NodeJS.ProcessEnv): Record<ApiKind, Upstream> {
  const make = (kind: ApiKind, prefix: string): Upstream => {
    const own = models[kind];
    const keyEnv = own.keyEnv ?? DEFAULT_KEY_ENV[kind];
    const base = own.baseUrl ?? nonEmpty(env[API_VARIABLES[kind].baseUrl]) ?? DEFAULT_BASE[kind];
    return { kind, prefix, base: new URL(base), key: nonEmpty(env[keyEnv]), keyEnv };
  };
  return { anthropic: make('anthropic', '/anthropic'), openai: make('openai', '/openai/v1') };
}

/** The upstream URL of a gateway path (with its query), or undefined when no API's prefix starts it. */
export function upstreamUrl(upstreams: Record<ApiKind, Upstream>, pathAndQuery: string): { upstream: Upstream; url: URL } | undefined {
  for (const upstream of Object.values(upstreams)) {
    if (pathAndQuery !== upstream.prefix && !pathAndQuery.startsWith(`${upstream.prefix}/`) && !pathAndQuery.startsWith(`${upstream.prefix}?`)) continue;
    const rest = pathAndQuery.slice(upstream.prefix.length);
    const url = new URL(upstream.base.href);
    const [restPath = '', query] = splitOnce(rest, '?');
    url.pathname = `${url.pathname.replace(/\/$/, '')}${restPath}`;
    url.search = query === undefined ? '' : `?${query}`;
    return { upstream, url };
  }
  return undefined;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value.trim() : undefined;
}
