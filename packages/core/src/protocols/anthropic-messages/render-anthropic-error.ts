/**
 * @fileoverview Any error → an Anthropic error body (`{"type":"error","error":{type,message}}`),
 * for errors that happen after a stream began and so travel as an in-stream `error` event.
 * Errors before that are rendered by the server's error handler in the same format.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamError } from '@llmproxy/connector-sdk';
import { anthropicErrorType } from '../../server/anthropic-error-body.js';
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
  const upstream = asUpstreamError(error);
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

/** Recognised by shape rather than class: a connector may bring its own copy of the SDK. */
function asUpstreamError(error: unknown): UpstreamError | undefined {
  if (!LlmProxyError.is(error) || error.code !== 'UPSTREAM_ERROR') return undefined;
  const candidate = error as Partial<UpstreamError>;
  return typeof candidate.upstreamStatus === 'number' && typeof candidate.upstreamError === 'object' && candidate.upstreamError !== null
    ? (error as UpstreamError)
    : undefined;
}
