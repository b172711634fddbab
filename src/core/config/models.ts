import type { Pricing } from '../common/modelPrices';

/** Where the model gateway forwards one API's calls. */
export interface Upstream {
  baseUrl?: string;
  /** The variable of aiai's environment that holds the key. */
  keyEnv?: string;
}

/** The models evaluations call through aiai's gateway (`models` in the config). */
export interface ModelsConfig {
  anthropic: Upstream;
  openai: Upstream;
  maxConcurrent?: number;
  maxRetries: number;
  /** Prices by model id, over the built-in table. */
  pricing: Record<string, Pricing>;
  /** An address of this machine that other machines (Slurm's nodes) reach. */
  gatewayHost?: string;
}

export type RawModels = Partial<Omit<ModelsConfig, 'pricing'>> & { pricing?: Record<string, Partial<Pricing> & Pick<Pricing, 'inputPerMTok' | 'outputPerMTok'>> };

/** A price given with input and output only: cache writes at 1.25× input, reads at 0.1×. */
export function modelsWithDefaults(raw: RawModels = {}): ModelsConfig {
  const pricing = Object.fromEntries(
    Object.entries(raw.pricing ?? {}).map(([model, p]) => [
      model,
      { ...p, cacheWritePerMTok: p.cacheWritePerMTok ?? p.inputPerMTok * 1.25, cacheReadPerMTok: p.cacheReadPerMTok ?? p.inputPerMTok * 0.1 },
    ]),
  );
  return { anthropic: {}, openai: {}, maxRetries: 4, ...raw, pricing };
}
