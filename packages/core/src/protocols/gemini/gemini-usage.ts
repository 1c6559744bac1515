/**
 * @fileoverview Token usage between Gemini's `usageMetadata` and the canonical model.
 * Canonical `inputTokens` counts every prompt token, cached ones included (Gemini's
 * `promptTokenCount` plus tool-use prompt tokens), and `outputTokens` counts thoughts too,
 * whereas Gemini's `candidatesTokenCount` leaves thoughts out (they are `thoughtsTokenCount`).
 */
import type { Usage } from '@llmproxy/connector-sdk';
import type { GeminiUsageMetadata } from './gemini-wire-types.js';

export function fromGeminiUsage(usage: GeminiUsageMetadata): Usage {
  const thoughts = numberOrUndefined(usage.thoughtsTokenCount);
  const result: Usage = {
    inputTokens: (numberOrUndefined(usage.promptTokenCount) ?? 0) + (numberOrUndefined(usage.toolUsePromptTokenCount) ?? 0),
    outputTokens: (numberOrUndefined(usage.candidatesTokenCount) ?? 0) + (thoughts ?? 0),
  };
  const total = numberOrUndefined(usage.totalTokenCount);
  if (total !== undefined) result.totalTokens = total;
  const cached = numberOrUndefined(usage.cachedContentTokenCount);
  if (cached !== undefined) result.cachedInputTokens = cached;
  if (thoughts !== undefined) result.reasoningTokens = thoughts;
  return result;
}

export function toGeminiUsage(usage: Usage): GeminiUsageMetadata {
  const reasoning = usage.reasoningTokens ?? 0;
  const result: GeminiUsageMetadata = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - reasoning),
    totalTokenCount: usage.totalTokens ?? usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens !== undefined) result.cachedContentTokenCount = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined) result.thoughtsTokenCount = usage.reasoningTokens;
  return result;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
