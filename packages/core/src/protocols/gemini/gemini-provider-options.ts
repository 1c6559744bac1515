/**
 * @fileoverview The Gemini hints a request carries in canonical `providerOptions.gemini`:
 * sampling settings the canonical model has no field for (`topK`). A Gemini upstream honours
 * them; other upstreams ignore them, the way a model without such a knob samples anyway.
 * Refusing them instead would lock out clients that always send one: the Gemini CLI sends
 * `topK` with every chat request, and OpenAI has no `top_k`.
 */
import type { ChatRequest } from '@llmproxy/connector-sdk';

/** The `providerOptions` key of Gemini hints. */
export const GEMINI_PROVIDER_OPTIONS_KEY = 'gemini';

/** Sample from the `topK` most likely tokens only (`generationConfig.topK`), if the request says so. */
export function geminiTopKOf(request: ChatRequest): number | undefined {
  const topK = request.providerOptions?.[GEMINI_PROVIDER_OPTIONS_KEY]?.['topK'];
  return typeof topK === 'number' ? topK : undefined;
}

/** Sets `providerOptions.gemini.topK` on `request`. */
export function setGeminiTopK(request: ChatRequest, topK: number): void {
  const existing = request.providerOptions?.[GEMINI_PROVIDER_OPTIONS_KEY];
  request.providerOptions = { ...request.providerOptions, [GEMINI_PROVIDER_OPTIONS_KEY]: { ...existing, topK } };
}
