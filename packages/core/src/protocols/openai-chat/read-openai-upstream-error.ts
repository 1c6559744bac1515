/**
 * @fileoverview An upstream HTTP error response → {@link UpstreamError} with the upstream's
 * status, its parsed error (OpenAI's `{"error":{message,type,code,param}}`, or the shapes other
 * OpenAI-compatible servers use) and the headers worth passing on.
 */
import { UpstreamError } from '@llmproxy/connector-sdk';
import type { UpstreamErrorBody, UpstreamResponse } from '@llmproxy/connector-sdk';

/** Response headers a client may act on: when to retry, and the id to quote to the vendor. */
const PASSED_ON_HEADERS = ['retry-after', 'retry-after-ms', 'x-request-id'] as const;

/** Upstream error bodies are short; a longer one is an HTML error page and only its start is useful. */
const MESSAGE_EXCERPT_CHARACTERS = 300;

export async function readOpenAIUpstreamError(response: UpstreamResponse, backendName: string): Promise<UpstreamError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone still makes a useful error.
  }
  const fallback = describeUnparsedBody(response.status, text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const headers: Record<string, string> = {};
  for (const name of PASSED_ON_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return new UpstreamError({ backend: backendName, status: response.status, error: upstreamErrorBodyFrom(parsed, fallback), headers });
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
  if (detail !== undefined) return { message: JSON.stringify(detail).slice(0, MESSAGE_EXCERPT_CHARACTERS) };
  return { message: fallback };
}

function describeUnparsedBody(status: number, text: string): string {
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, MESSAGE_EXCERPT_CHARACTERS);
  return excerpt === ''
    ? `The upstream answered HTTP ${status} with an empty body`
    : `The upstream answered HTTP ${status}: ${excerpt}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
