/**
 * @fileoverview Turns whatever reached the error handler into an {@link LlmProxyError}:
 * body-parser's http-errors get stable codes, anything unknown becomes a generic 500 whose
 * details stay in the log rather than in the response.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

interface HttpErrorLike {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
  limit?: unknown;
  encoding?: unknown;
  charset?: unknown;
}

/** True when the error was unknown and therefore deserves a stack trace in the log. */
export interface NormalizedError {
  error: LlmProxyError;
  unexpected: boolean;
}

/** Classifies an error thrown anywhere in request handling. */
export function toLlmProxyError(error: unknown, bodyLimitBytes: number): NormalizedError {
  if (LlmProxyError.is(error)) return { error, unexpected: false };
  const httpError = (typeof error === 'object' && error !== null ? error : {}) as HttpErrorLike;
  const status = typeof httpError.status === 'number' ? httpError.status : httpError.statusCode;
  switch (httpError.type) {
    case 'entity.parse.failed':
      return {
        unexpected: false,
        error: new LlmProxyError({
          code: 'INVALID_JSON',
          message: 'The request body is not valid JSON',
          currentValue: typeof httpError.message === 'string' ? httpError.message : undefined,
          fix: 'Send a JSON object as the request body',
          httpStatus: 400,
        }),
      };
    case 'entity.too.large':
      return {
        unexpected: false,
        error: new LlmProxyError({
          code: 'REQUEST_BODY_TOO_LARGE',
          message: `The request body is larger than the limit of ${bodyLimitBytes} bytes (counted after decompression)`,
          fix: 'Send a smaller request, or raise server.body_limit in the YAML config (e.g. "20mb")',
          httpStatus: 413,
          details: { limitBytes: bodyLimitBytes },
        }),
      };
    case 'encoding.unsupported':
      return {
        unexpected: false,
        error: new LlmProxyError({
          code: 'UNSUPPORTED_CONTENT_ENCODING',
          message: 'The request body uses an unsupported Content-Encoding',
          currentValue: typeof httpError.encoding === 'string' ? httpError.encoding : undefined,
          fix: 'Send the body uncompressed or with Content-Encoding gzip, deflate or br',
          httpStatus: 415,
        }),
      };
    case 'charset.unsupported':
      return {
        unexpected: false,
        error: new LlmProxyError({
          code: 'UNSUPPORTED_CHARSET',
          message: 'The request body uses an unsupported charset',
          currentValue: typeof httpError.charset === 'string' ? httpError.charset : undefined,
          fix: 'Send the JSON body as UTF-8',
          httpStatus: 415,
        }),
      };
    default:
      break;
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      unexpected: false,
      error: new LlmProxyError({
        code: 'REQUEST_INVALID',
        message:
          httpError.expose === true && typeof httpError.message === 'string'
            ? `The request could not be read: ${httpError.message}`
            : 'The request could not be read',
        fix: 'Check the request line, headers and body the client sends',
        httpStatus: status,
      }),
    };
  }
  return {
    unexpected: true,
    error: new LlmProxyError({
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      fix: 'The proxy logged the details; check its log file',
      httpStatus: 500,
      cause: error,
    }),
  };
}
