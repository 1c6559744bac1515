/**
 * @fileoverview The two fields a same-API relay reads from a JSON body whose API names the
 * model in the body (OpenAI Chat and Responses, Anthropic Messages). Anything unexpected
 * leaves the request to the canonical path, whose parser answers with the precise error.
 */
import type { RelayableRequest } from './chat-frontend.js';

export function readRelayableBody(body: unknown): RelayableRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { model, stream } = body as { model?: unknown; stream?: unknown };
  if (typeof model !== 'string' || model === '') return undefined;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') return undefined;
  return { model, stream: stream === true };
}
