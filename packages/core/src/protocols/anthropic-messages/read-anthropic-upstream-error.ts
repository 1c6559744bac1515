/**
 * @fileoverview An Anthropic error response → {@link UpstreamError} with the upstream's status,
 * its error type and message (`{"type":"error","error":{"type","message"}}`), and the headers
 * worth passing on.
 */
import { isRecord, readUpstreamErrorBody, UpstreamError } from '@llmproxy/connector-sdk';
import type { UpstreamErrorBody, UpstreamResponse } from '@llmproxy/connector-sdk';

/** Response headers a client may act on: when to retry, and the id to quote to Anthropic. */
const PASSED_ON_HEADERS = ['retry-after', 'request-id'] as const;

export async function readAnthropicUpstreamError(response: UpstreamResponse, backendName: string): Promise<UpstreamError> {
  const answer = await readUpstreamErrorBody(response, { passOnHeaders: PASSED_ON_HEADERS });
  return new UpstreamError({
    backend: backendName,
    status: answer.status,
    error: upstreamErrorBodyOf(answer.json, answer.fallbackMessage),
    headers: answer.headers,
  });
}

/** Reads Anthropic's `{"type":"error","error":{type,message}}`; anything else gives `fallback` as the message. */
export function upstreamErrorBodyOf(parsed: unknown, fallback: string): UpstreamErrorBody {
  if (!isRecord(parsed)) return { message: fallback };
  const error = parsed['error'];
  if (!isRecord(error)) return { message: typeof parsed['message'] === 'string' && parsed['message'] !== '' ? parsed['message'] : fallback };
  const body: UpstreamErrorBody = { message: typeof error['message'] === 'string' && error['message'] !== '' ? error['message'] : fallback };
  if (typeof error['type'] === 'string') body.type = error['type'];
  return body;
}

/** The HTTP status Anthropic uses for an error type, for errors that arrive inside a stream. */
export function anthropicStatusOfErrorType(type: string | undefined): number {
  switch (type) {
    case 'invalid_request_error':
      return 400;
    case 'authentication_error':
      return 401;
    case 'billing_error':
      return 402;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
      return 429;
    case 'timeout_error':
      return 504;
    case 'overloaded_error':
      return 529;
    default:
      return 500;
  }
}
