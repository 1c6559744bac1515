/**
 * @fileoverview Sampling settings that only some upstreams have, carried beside the canonical
 * request (the canonical model has no field for them yet). A backend that has the setting
 * honours it; one that has none ignores it, the way a model without such a knob samples anyway.
 * Refusing them instead would lock out clients that always send one: the Gemini CLI sends
 * `topK` with every chat request, and OpenAI has no `top_k`.
 */
import type { ChatRequest } from '@llmproxy/connector-sdk';

export interface SamplingHints {
  /** Sample from the `topK` most likely tokens only (Gemini `topK`, Anthropic `top_k`). */
  topK?: number;
}

/** A canonical request that may carry {@link SamplingHints}. */
export type ChatRequestWithSamplingHints = ChatRequest & { samplingHints?: SamplingHints };

/** The hints a request carries, if any. */
export function samplingHintsOf(request: ChatRequest): SamplingHints | undefined {
  const hints = (request as ChatRequestWithSamplingHints).samplingHints;
  return typeof hints === 'object' && hints !== null ? hints : undefined;
}
