/**
 * @fileoverview Token usage between Anthropic Messages and the canonical model. Anthropic's
 * `input_tokens` counts only the prompt tokens that were neither read from nor written to the
 * prompt cache; canonical `inputTokens` counts every prompt token (as OpenAI's `prompt_tokens`
 * does), so the cache counts are added on the way in and subtracted on the way out.
 */
import type { Usage } from '@llmproxy/connector-sdk';
import type { AnthropicUsage } from './anthropic-messages-wire-types.js';

export function fromAnthropicUsage(usage: Partial<AnthropicUsage>): Usage {
  const uncached = numberOrZero(usage.input_tokens);
  const cacheRead = numberOrZero(usage.cache_read_input_tokens);
  const cacheCreation = numberOrZero(usage.cache_creation_input_tokens);
  const outputTokens = numberOrZero(usage.output_tokens);
  const inputTokens = uncached + cacheRead + cacheCreation;
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (typeof usage.cache_read_input_tokens === 'number') result.cachedInputTokens = cacheRead;
  return result;
}

/**
 * @param cacheCreationInputTokens prompt tokens written to the cache, which only an Anthropic
 *   upstream reports (the canonical usage has no field for them, so they travel as an extra)
 */
export function toAnthropicUsage(usage: Usage | undefined, cacheCreationInputTokens = 0): AnthropicUsage {
  if (usage === undefined) {
    return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  }
  const cacheRead = usage.cachedInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - cacheRead - cacheCreationInputTokens),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: cacheCreationInputTokens,
    cache_read_input_tokens: cacheRead,
  };
}

function numberOrZero(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
