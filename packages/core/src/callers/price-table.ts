/**
 * @fileoverview The cost of a request: the operator's price for `backend:model` from `prices`
 * in YAML first, else the bundled price table of `@pydantic/genai-prices` (pinned, so a cost
 * never changes under a running version) for backends whose connector speaks to a vendor the
 * table knows. Anything else costs null: tokens are still recorded, the price is never guessed
 * (an `openai-compatible` backend's `llama3` is not priced as some vendor's model of that name).
 */
import { createRequire } from 'node:module';
import type { calcPrice as CalcPrice } from '@pydantic/genai-prices';
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

/** The bundled table's lookup; about 20 MB once loaded, so it is loaded only when usage is recorded. */
export type BundledPrices = typeof CalcPrice;

export async function loadBundledPrices(): Promise<BundledPrices> {
  // The package's CommonJS build: minified, it leaves about 1 MB less on the heap than its ES module build.
  return (createRequire(import.meta.url)('@pydantic/genai-prices') as { calcPrice: BundledPrices }).calcPrice;
}

/** Per-million prices of a model whose cost is linear in its token counts (below a tier, for tiered prices). */
interface LinearPrice {
  inputMtok: number;
  cachedInputMtok: number;
  outputMtok: number;
  /**
   * The prices hold for requests of fewer tokens (input and output together) than this: the start
   * of the first tier of a tiered price (Anthropic's long-context prices), Infinity for a flat one.
   */
  belowTokens: number;
}

/** A bundled-table answer for one provider and model, valid for one UTC day (prices have start dates). */
interface CachedLookup {
  day: number;
  /** null: no price; 'lookup': ask the table every time (not linear, or first seen above a tier). */
  price: LinearPrice | null | 'lookup';
}

const DAY_MS = 86_400_000;
/** Distinct provider/model pairs remembered; beyond it the cache starts over. */
const CACHED_LOOKUPS = 10_000;

export class PriceTable {
  /**
   * The bundled table's lookup takes tens of microseconds (it matches the model name against
   * every model of the provider), so its answer is kept per provider and model: the model's
   * per-million prices when the cost is linear in the token counts (checked against the table's
   * own total), or that there is no price. A tiered price is kept as its base prices, used for
   * requests below its first tier; larger requests are looked up.
   */
  private readonly lookups = new Map<string, CachedLookup>();

  /**
   * @param bundled the bundled table (loadBundledPrices); without it only operator prices are known
   */
  constructor(
    private readonly overrides: Readonly<Record<string, ModelPrice>>,
    private readonly bundled?: BundledPrices,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cost in US dollars, or null when the model has no known price. */
  costOf(target: PricedModel, usage: Usage): number | null {
    const override = this.overrides[`${target.backend}:${target.model}`];
    if (override !== undefined) return costFromOverride(override, usage);
    const providerId = PRICE_PROVIDER_OF_CONNECTOR[target.connectorId];
    if (providerId === undefined || this.bundled === undefined) return null;
    const key = `${providerId}\u0000${target.model}`;
    const day = Math.floor(this.now() / DAY_MS);
    const cached = this.lookups.get(key);
    if (cached !== undefined && cached.day === day) {
      if (cached.price === null) return null;
      if (cached.price !== 'lookup' && usage.inputTokens + usage.outputTokens < cached.price.belowTokens) return linearCost(cached.price, usage);
    }
    const price = this.bundled(bundledUsage(usage), target.model, { providerId });
    const total = price === null || price === undefined ? null : price.total_price;
    if (cached === undefined || cached.day !== day) {
      if (this.lookups.size >= CACHED_LOOKUPS) this.lookups.clear();
      this.lookups.set(key, { day, price: total === null ? null : linearPriceOf(price?.model_price, usage, total) });
    }
    return total;
  }
}

function bundledUsage(usage: Usage): { input_tokens: number; output_tokens: number; cache_read_tokens?: number } {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    ...(usage.cachedInputTokens === undefined ? {} : { cache_read_tokens: Math.min(usage.cachedInputTokens, usage.inputTokens) }),
  };
}

function linearCost(price: LinearPrice, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  return ((usage.inputTokens - cached) * price.inputMtok + cached * price.cachedInputMtok + usage.outputTokens * price.outputMtok) / PER_MILLION;
}

/**
 * The model's prices as plain per-million numbers, when they are (or are tiered, and this usage
 * is below the first tier) and reproduce the table's own total for this usage; 'lookup'
 * otherwise (per-request prices, a usage above a tier, no cached price).
 */
function linearPriceOf(modelPrice: unknown, usage: Usage, total: number): LinearPrice | 'lookup' {
  if (typeof modelPrice !== 'object' || modelPrice === null) return 'lookup';
  const prices = modelPrice as Record<string, unknown>;
  if (typeof prices['requests_kcount'] === 'number') return 'lookup';
  const input = basePrice(prices['input_mtok']);
  const cachedInput = basePrice(prices['cache_read_mtok']);
  const output = basePrice(prices['output_mtok']);
  if (input === undefined || cachedInput === undefined || output === undefined) return 'lookup';
  const belowTokens = Math.min(input.belowTokens, cachedInput.belowTokens, output.belowTokens);
  if (usage.inputTokens + usage.outputTokens >= belowTokens) return 'lookup';
  const linear = { inputMtok: input.price, cachedInputMtok: cachedInput.price, outputMtok: output.price, belowTokens };
  const computed = linearCost(linear, usage);
  return Math.abs(computed - total) <= Math.max(Math.abs(total), 1e-9) * 1e-9 ? linear : 'lookup';
}

/** A flat per-million price, or a tiered one's base price and where its first tier starts. */
function basePrice(value: unknown): { price: number; belowTokens: number } | undefined {
  if (typeof value === 'number') return { price: value, belowTokens: Number.POSITIVE_INFINITY };
  if (typeof value !== 'object' || value === null) return undefined;
  const { base, tiers } = value as { base?: unknown; tiers?: unknown };
  if (typeof base !== 'number' || !Array.isArray(tiers)) return undefined;
  const starts = tiers.map((tier: unknown) => (tier as { start?: unknown } | null)?.start);
  if (!starts.every((start): start is number => typeof start === 'number')) return undefined;
  return { price: base, belowTokens: Math.min(...starts) };
}

/** Canonical `inputTokens` counts cached tokens too; they are charged at the cached price. */
function costFromOverride(price: ModelPrice, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const cachedPrice = price.cachedInputUsdPerMtok ?? price.inputUsdPerMtok;
  return (uncached * price.inputUsdPerMtok + cached * cachedPrice + usage.outputTokens * price.outputUsdPerMtok) / PER_MILLION;
}
