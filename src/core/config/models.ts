import { pricingOf, type Pricing } from '../common/modelPrices';

/** Where the model gateway forwards one API's calls. */
export interface UpstreamConfig {
  baseUrl?: string;
  /** The variable of aiai's environment that holds the key. */
  keyEnv?: string;
}

/** The models evaluations call through aiai's gateway (`models` in the config). */
export interface ModelsConfig {
  anthropic: UpstreamConfig;
  openai: UpstreamConfig;
  maxConcurrent?: number;
  maxRetries: number;
  /** Prices by model id, over the built-in table. */
  pricing: Record<string, Pricing>;
  /** An address of this machine that other machines (Slurm's nodes) reach. */
  gatewayHost?: string;
}

export type RawModels = Partial<Omit<ModelsConfig, 'pricing'>> & { pricing?: Record<string, Partial<Pricing> & Pick<Pricing, 'inputPerMTok' | 'outputPerMTok'>> };

/** A price given with input and output only gets the cache prices a list price has. */
export function modelsWithDefaults(raw: RawModels = {}): ModelsConfig {
  const pricing = Object.fromEntries(
    Object.entries(raw.pricing ?? {}).map(([model, p]) => [model, { ...pricingOf({ input: p.inputPerMTok, output: p.outputPerMTok, cacheRead: 0.1 }), ...p }]),
  );
  return { anthropic: {}, openai: {}, maxRetries: 4, ...raw, pricing };
}

/** Where the real keys are, by default, in aiai's environment. */
export const DEFAULT_KEY_ENV = { anthropic: 'ANTHROPIC_API_KEY', openai: 'OPENAI_API_KEY' } as const;

/** The variables that hold a model's real key: no eval may be handed one (sandbox.env). */
export function modelKeyNames(models: ModelsConfig): string[] {
  return [models.anthropic.keyEnv ?? DEFAULT_KEY_ENV.anthropic, models.openai.keyEnv ?? DEFAULT_KEY_ENV.openai, 'ANTHROPIC_AUTH_TOKEN'];
}
