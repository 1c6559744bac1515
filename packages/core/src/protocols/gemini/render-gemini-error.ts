/**
 * @fileoverview Any error → a Gemini error body (`{"error":{code,message,status}}`), where
 * `status` is the google.rpc canonical code name. The one Gemini error renderer: the server's
 * error handler uses it for errors before a response starts, and the stream renderer for errors
 * that travel inside the stream.
 */
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { GeminiErrorBody } from './gemini-wire-types.js';

export interface RenderedGeminiError {
  status: number;
  body: GeminiErrorBody;
}

/** google.rpc code names look like this; anything else in an upstream `type` is another vendor's. */
const GOOGLE_STATUS_NAME = /^[A-Z][A-Z_]+$/;

/**
 * An upstream error keeps the upstream's status and message, and its google.rpc status name
 * when the upstream was Google's (so a Gemini `RESOURCE_EXHAUSTED` stays one); otherwise the
 * name follows the status. An llmproxy error gives its full message (what failed, current
 * value, fix). Anything else is an `INTERNAL` error that reveals nothing internal.
 */
export function renderGeminiError(error: unknown): RenderedGeminiError {
  const upstream = UpstreamError.is(error) ? error : undefined;
  if (upstream !== undefined) {
    const code = upstream.upstreamStatus;
    const type = upstream.upstreamError.type;
    const status = type !== undefined && GOOGLE_STATUS_NAME.test(type) ? type : geminiErrorStatus(code);
    return { status: code, body: { error: { code, message: upstream.upstreamError.message, status } } };
  }
  if (LlmProxyError.is(error)) {
    const code = error.httpStatus;
    return { status: code, body: { error: { code, message: error.message, status: geminiErrorStatus(code) } } };
  }
  return {
    status: 500,
    body: { error: { code: 500, message: 'The proxy failed unexpectedly; the details are in its log', status: 'INTERNAL' } },
  };
}

/** The google.rpc status name Gemini clients expect for an HTTP status. */
export function geminiErrorStatus(status: number): string {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}
