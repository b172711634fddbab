import type { Pricing } from '../config/config';
import { DEAREST, listPrice, pricingOf } from '../common/modelPrices';

export { costOf } from '../common/modelPrices';

/**
 * The price of a model: the config's, else its list price. An unknown model is
 * priced as the dearest, so a budget stops early rather than late.
 */
export function pricingFor(model: string, override?: Partial<Pricing>): Pricing {
  const list = listPrice(model) ?? DEAREST;
  // The cache prices follow an overridden input price unless they are given too.
  const derived = pricingOf({ input: override?.inputPerMTok ?? list.input, output: override?.outputPerMTok ?? list.output, cacheRead: list.cacheRead });
  return {
    ...derived,
    ...(override?.cacheWritePerMTok !== undefined ? { cacheWritePerMTok: override.cacheWritePerMTok } : {}),
    ...(override?.cacheReadPerMTok !== undefined ? { cacheReadPerMTok: override.cacheReadPerMTok } : {}),
  };
}
