/**
 * @fileoverview Token usage between OpenAI Chat Completions and the canonical model. Canonical
 * `inputTokens` counts every prompt token, cached ones included (OpenAI's `prompt_tokens`), and
 * `outputTokens` counts reasoning tokens too (OpenAI's `completion_tokens`).
 */
import type { Usage } from '@llmproxy/connector-sdk';
import type { OpenAIUsage } from './openai-chat-wire-types.js';

export function fromOpenAIUsage(usage: OpenAIUsage): Usage {
  const result: Usage = {
    inputTokens: numberOrZero(usage.prompt_tokens),
    outputTokens: numberOrZero(usage.completion_tokens),
  };
  if (typeof usage.total_tokens === 'number') result.totalTokens = usage.total_tokens;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') result.cachedInputTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') result.reasoningTokens = reasoning;
  return result;
}

export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  const result: OpenAIUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens ?? usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens !== undefined) result.prompt_tokens_details = { cached_tokens: usage.cachedInputTokens };
  if (usage.reasoningTokens !== undefined) {
    result.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  }
  return result;
}

function numberOrZero(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
