/**
 * @fileoverview The cost of a request: the operator's price for `backend:model` from `prices`
 * in YAML first, else the bundled price table of `@pydantic/genai-prices` (pinned, so a cost
 * never changes under a running version) for backends whose connector speaks to a vendor the
 * table knows. Anything else costs null: tokens are still recorded, the price is never guessed
 * (an `openai-compatible` backend's `llama3` is not priced as some vendor's model of that name).
 */
import { calcPrice } from '@pydantic/genai-prices';
import type { Usage } from '@llmproxy/connector-sdk';

import type { ModelPrice } from '../config/proxy-settings.js';

/** Built-in connector ids → genai-prices provider ids, for connectors that call that vendor's own API. */
const PRICE_PROVIDER_OF_CONNECTOR: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
  openrouter: 'openrouter',
};

const PER_MILLION = 1_000_000;

export interface PricedModel {
  /** The backend's name (the `backend:` prefix), for operator prices. */
  backend: string;
  /** The connector serving it, for the bundled table. */
  connectorId: string;
  model: string;
}

export class PriceTable {
  constructor(private readonly overrides: Readonly<Record<string, ModelPrice>>) {}

  /** The cost in US dollars, or null when the model has no known price. */
  costOf(target: PricedModel, usage: Usage): number | null {
    const override = this.overrides[`${target.backend}:${target.model}`];
    if (override !== undefined) return costFromOverride(override, usage);
    const providerId = PRICE_PROVIDER_OF_CONNECTOR[target.connectorId];
    if (providerId === undefined) return null;
    const price = calcPrice(
      {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        ...(usage.cachedInputTokens === undefined ? {} : { cache_read_tokens: Math.min(usage.cachedInputTokens, usage.inputTokens) }),
      },
      target.model,
      { providerId },
    );
    return price === null || price === undefined ? null : price.total_price;
  }
}

/** Canonical `inputTokens` counts cached tokens too; they are charged at the cached price. */
function costFromOverride(price: ModelPrice, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const cachedPrice = price.cachedInputUsdPerMtok ?? price.inputUsdPerMtok;
  return (uncached * price.inputUsdPerMtok + cached * cachedPrice + usage.outputTokens * price.outputUsdPerMtok) / PER_MILLION;
}
