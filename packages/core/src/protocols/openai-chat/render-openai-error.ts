/**
 * @fileoverview Any error → an OpenAI error response (`{"error":{message,type,param,code}}`).
 */
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { OpenAIErrorObject } from './openai-chat-wire-types.js';

export interface RenderedOpenAIError {
  status: number;
  body: { error: OpenAIErrorObject };
}

/**
 * An upstream error keeps the upstream's status and its message, type, code and param, so an
 * OpenAI client sees what it would have seen talking to the upstream directly. An llmproxy
 * error gives its status, full message (what failed, current value, fix) and stable code,
 * with `param` from `details.param`. Anything else is a 500 that reveals nothing internal.
 */
export function renderOpenAIError(error: unknown): RenderedOpenAIError {
  const upstream = UpstreamError.is(error) ? error : undefined;
  if (upstream !== undefined) {
    const status = upstream.upstreamStatus;
    const { message, type, code, param } = upstream.upstreamError;
    return { status, body: { error: { message, type: type ?? openAIErrorType(status), param: param ?? null, code: code ?? null } } };
  }
  if (LlmProxyError.is(error)) {
    const param = error.details['param'];
    return {
      status: error.httpStatus,
      body: {
        error: {
          message: error.message,
          type: openAIErrorType(error.httpStatus),
          param: typeof param === 'string' ? param : null,
          code: error.code,
        },
      },
    };
  }
  return {
    status: 500,
    body: { error: { message: 'The proxy failed unexpectedly; the details are in its log', type: 'server_error', param: null, code: 'INTERNAL_ERROR' } },
  };
}

/** The `error.type` OpenAI uses for a status. */
export function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
