/**
 * @fileoverview Token usage between the Responses API and the canonical model. Both count
 * cached tokens inside the input tokens and reasoning tokens inside the output tokens.
 */
import type { Usage } from '@llmproxy/connector-sdk';
import type { ResponsesUsage } from './responses-wire-types.js';

export function toResponsesUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.totalTokens ?? usage.inputTokens + usage.outputTokens,
  };
}

/** Reads an upstream `usage` object; undefined when it is not one. */
export function fromResponsesUsage(value: unknown): Usage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const usage = value as Partial<Record<string, unknown>>;
  const result: Usage = { inputTokens: numberOrZero(usage['input_tokens']), outputTokens: numberOrZero(usage['output_tokens']) };
  if (typeof usage['total_tokens'] === 'number') result.totalTokens = usage['total_tokens'];
  const cached = (usage['input_tokens_details'] as { cached_tokens?: unknown } | undefined)?.cached_tokens;
  if (typeof cached === 'number') result.cachedInputTokens = cached;
  const reasoning = (usage['output_tokens_details'] as { reasoning_tokens?: unknown } | undefined)?.reasoning_tokens;
  if (typeof reasoning === 'number') result.reasoningTokens = reasoning;
  return result;
}

function numberOrZero(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
