/**
 * @fileoverview Request hints: fields of a Responses client's request that a Responses upstream
 * should receive, but that any other upstream may ignore without changing the answer (`store`,
 * `include`, `prompt_cache_key`, `reasoning.summary`, `text.verbosity`, `metadata`, ...).
 *
 * They cannot travel as protocol extras, which every other connector must refuse by name: a
 * Codex CLI request (always `store: false` with a `prompt_cache_key`) would then fail on every
 * non-Responses backend. The canonical model has no field for such hints, so they ride on the
 * request under a registered symbol: object spread keeps them, JSON serialisation (and so any
 * log) never shows them, and a connector bundling its own copy of this code finds them too.
 */
import type { ChatRequest } from '@llmproxy/connector-sdk';

const HINTS_KEY = Symbol.for('llmproxy.openai-responses.request-hints');

/** A partial Responses request body; `reasoning` and `text` merge into the body's own objects. */
export type ResponsesRequestHints = Readonly<Record<string, unknown>>;

/** Returns `request` with `hints` attached (replacing earlier ones). */
export function withResponsesRequestHints<Request extends ChatRequest>(request: Request, hints: ResponsesRequestHints): Request {
  return Object.assign(request, { [HINTS_KEY]: hints });
}

/** The hints attached to `request`, if any. */
export function responsesRequestHintsOf(request: ChatRequest): ResponsesRequestHints | undefined {
  const hints = (request as unknown as Record<symbol, unknown>)[HINTS_KEY];
  return typeof hints === 'object' && hints !== null ? (hints as ResponsesRequestHints) : undefined;
}
