import type { Pricing } from '../config/config';
import { DEAREST, listPrice } from '../common/modelPrices';

export { costOf } from '../common/modelPrices';

/**
 * The price of a model: the config's, else its list price. An unknown model is
 * priced as the dearest, so a budget stops early rather than late.
 */
export function pricingFor(model: string, override?: Partial<Pricing>): Pricing {
  const list = listPrice(model) ?? DEAREST;
  const input = override?.inputPerMTok ?? list.input;
  return {
    inputPerMTok: input,
    outputPerMTok: override?.outputPerMTok ?? list.output,
    cacheWritePerMTok: override?.cacheWritePerMTok ?? input * 1.25,
    cacheReadPerMTok: override?.cacheReadPerMTok ?? input * list.cacheRead,
  };
}
