/**
 * @fileoverview Request hints: fields of a Responses client's request that a Responses upstream
 * should receive, but that any other upstream may ignore without changing the answer (`store`,
 * `include`, `prompt_cache_key`, `reasoning.summary`, `text.verbosity`, `metadata`, ...).
 *
 * They cannot travel as protocol extras, which every other connector must refuse by name: a
 * Codex CLI request (always `store: false` with a `prompt_cache_key`) would then fail on every
 * non-Responses backend. They ride instead in the canonical `providerOptions`, under the key
 * `openai-responses` rather than `openai`: the hints are a partial Responses request body, which
 * any upstream speaking the Responses API (OpenAI, the Codex backend, compatible servers) takes
 * as is, while an OpenAI Chat Completions body has other shapes for the same settings.
 */
import type { ChatRequest } from '@llmproxy/connector-sdk';

/** The `providerOptions` key of Responses request hints. */
export const RESPONSES_PROVIDER_OPTIONS_KEY = 'openai-responses';

/** A partial Responses request body; `reasoning` and `text` merge into the body's own objects. */
export type ResponsesRequestHints = Readonly<Record<string, unknown>>;

/** Returns `request` with `hints` attached (replacing earlier ones). */
export function withResponsesRequestHints<Request extends ChatRequest>(request: Request, hints: ResponsesRequestHints): Request {
  request.providerOptions = { ...request.providerOptions, [RESPONSES_PROVIDER_OPTIONS_KEY]: { ...hints } };
  return request;
}

/** The hints attached to `request`, if any. */
export function responsesRequestHintsOf(request: ChatRequest): ResponsesRequestHints | undefined {
  const hints = request.providerOptions?.[RESPONSES_PROVIDER_OPTIONS_KEY];
  return typeof hints === 'object' && hints !== null && !Array.isArray(hints) ? hints : undefined;
}
