/**
 * @fileoverview An upstream HTTP error response → {@link UpstreamError} with the upstream's
 * status, its parsed error (OpenAI's `{"error":{message,type,code,param}}`, or the shapes other
 * OpenAI-compatible servers use) and the headers worth passing on.
 */
import { isRecord, readUpstreamErrorBody, UPSTREAM_ERROR_EXCERPT_CHARACTERS, UpstreamError } from '@llmproxy/connector-sdk';
import type { UpstreamErrorBody, UpstreamResponse } from '@llmproxy/connector-sdk';

/** Response headers a client may act on: when to retry, and the id to quote to the vendor. */
const PASSED_ON_HEADERS = ['retry-after', 'retry-after-ms', 'x-request-id'] as const;


export async function readOpenAIUpstreamError(response: UpstreamResponse, backendName: string): Promise<UpstreamError> {
  const answer = await readUpstreamErrorBody(response, { passOnHeaders: PASSED_ON_HEADERS });
  return new UpstreamError({
    backend: backendName,
    status: answer.status,
    error: upstreamErrorBodyFrom(answer.json, answer.fallbackMessage),
    headers: answer.headers,
  });
}

/**
 * Reads an error body: OpenAI's `{"error":{...}}`, Ollama's `{"error":"text"}`, FastAPI's
 * `{"detail":...}` or a bare `{"message":...}`. Anything else gives `fallback` as the message.
 */
export function upstreamErrorBodyFrom(parsed: unknown, fallback: string): UpstreamErrorBody {
  if (!isRecord(parsed)) return { message: fallback };
  const error = parsed['error'];
  if (isRecord(error)) {
    const message = typeof error['message'] === 'string' && error['message'] !== '' ? error['message'] : fallback;
    const body: UpstreamErrorBody = { message };
    if (typeof error['type'] === 'string') body.type = error['type'];
    const code = error['code'];
    if (typeof code === 'string' || typeof code === 'number' || code === null) body.code = code;
    const param = error['param'];
    if (typeof param === 'string' || param === null) body.param = param;
    return body;
  }
  if (typeof error === 'string' && error !== '') return { message: error };
  if (typeof parsed['message'] === 'string' && parsed['message'] !== '') return { message: parsed['message'] };
  const detail = parsed['detail'];
  if (typeof detail === 'string' && detail !== '') return { message: detail };
  if (detail !== undefined) return { message: JSON.stringify(detail).slice(0, UPSTREAM_ERROR_EXCERPT_CHARACTERS) };
  return { message: fallback };
}
