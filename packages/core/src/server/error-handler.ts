/**
 * @fileoverview The last middleware: renders any error in the calling client's API format.
 * Known errors keep their status and message; unknown ones become a generic 500 and are logged
 * with their stack. Once a stream has begun, the stream renderer owns error reporting and this
 * only makes sure the response ends.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../logging/app-logger.js';
import { redactClientBoundError } from './redact-client-bound-error.js';
import { sendErrorResponse } from './render-error-response.js';
import { requestContextOf } from './request-context.js';
import { shutdownCutOf } from './shutdown-cut.js';
import { toLlmProxyError } from './to-llm-proxy-error.js';

export function errorHandler(options: { logger: AppLogger; bodyLimitBytes: number; knownSecrets?: Iterable<string> }): ErrorRequestHandler {
  const { logger, bodyLimitBytes } = options;
  const knownSecrets = options.knownSecrets ?? [];
  return (thrown: unknown, request, response, _next) => {
    const context = requestContextOf(response);
    const { error, unexpected } = toLlmProxyError(thrown, bodyLimitBytes);
    context.errorCode = error.code;
    const path = request.originalUrl.split('?', 1)[0];
    if (context.abortController.signal.aborted) {
      const shutdownCut = shutdownCutOf(context.abortController.signal);
      if (shutdownCut !== undefined) {
        // Shutdown gave up waiting for this request: the client is still there and is told so.
        if (response.headersSent) {
          if (!response.writableEnded) response.end();
        } else {
          response.setHeader('connection', 'close');
          sendErrorResponse(response, shutdownCut, context.family);
        }
        return;
      }
      // The client left; whatever failed after that has nobody to tell.
      logger.debug('Request ended after the client disconnected', { requestId: context.requestId, method: request.method, path, code: error.code });
      return;
    }
    if (unexpected) {
      logger.error('Unexpected error while handling a request', {
        requestId: context.requestId,
        method: request.method,
        path,
        error: thrown instanceof Error ? thrown.message : String(thrown),
        stack: thrown instanceof Error ? thrown.stack : undefined,
      });
    } else if (error.httpStatus >= 500) {
      logger.warn('Request failed', { requestId: context.requestId, method: request.method, path, code: error.code, status: error.httpStatus, backend: context.backend });
    }
    if (response.headersSent) {
      if (!response.writableEnded) response.end();
      return;
    }
    // Upstream text reaches the client verbatim otherwise: scrub echoed credentials first.
    sendErrorResponse(response, redactClientBoundError(error, knownSecrets), context.family);
  };
}

/** Answers every path no route matched with a 404 in the path's error format. */
export function routeNotFound(): RequestHandler {
  return (request, response) => {
    sendErrorResponse(
      response,
      new LlmProxyError({
        code: 'ROUTE_NOT_FOUND',
        message: `Route not found: ${request.method} ${request.originalUrl.split('?', 1)[0]}`,
        fix: 'The proxy serves POST /v1/chat/completions, POST /v1/responses, POST /v1/messages (also under /anthropic), POST /v1/messages/count_tokens, POST /v1beta/models/{model}:generateContent and :streamGenerateContent, GET /v1/models, GET /v1beta/models and GET /internal/health',
        httpStatus: 404,
      }),
      requestContextOf(response).family,
    );
  };
}
