/**
 * @fileoverview Any error → an Anthropic error body (`{"type":"error","error":{type,message}}`).
 * The one Anthropic error renderer: the server's error handler uses it for errors before a
 * response starts, and the stream renderer for errors that travel as an in-stream `error` event,
 * so a Claude client sees the same body either way.
 */
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import { ANTHROPIC_ERROR_TYPES, type AnthropicErrorBody } from './anthropic-messages-wire-types.js';

export interface RenderedAnthropicError {
  status: number;
  body: AnthropicErrorBody;
}

/**
 * An upstream error keeps the upstream's message, and its error type when that is one of
 * Anthropic's (so an `overloaded_error` from Anthropic stays one); otherwise the type follows
 * the status. An llmproxy error gives its full message (what failed, current value, fix).
 * Anything else is an `api_error` that reveals nothing internal.
 */
export function renderAnthropicError(error: unknown): RenderedAnthropicError {
  const upstream = UpstreamError.is(error) ? error : undefined;
  if (upstream !== undefined) {
    const status = upstream.upstreamStatus;
    const upstreamType = upstream.upstreamError.type;
    const type = upstreamType !== undefined && ANTHROPIC_ERROR_TYPES.has(upstreamType) ? upstreamType : anthropicErrorType(status);
    return { status, body: { type: 'error', error: { type, message: upstream.upstreamError.message } } };
  }
  if (LlmProxyError.is(error)) {
    return { status: error.httpStatus, body: { type: 'error', error: { type: anthropicErrorType(error.httpStatus), message: error.message } } };
  }
  return {
    status: 500,
    body: { type: 'error', error: { type: 'api_error', message: 'The proxy failed unexpectedly; the details are in its log' } },
  };
}

/** The `error.type` Anthropic clients expect for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 415:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
