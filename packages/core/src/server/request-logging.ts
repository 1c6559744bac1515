/**
 * @fileoverview One log entry per request: method, path, status, duration and backend. Headers,
 * query strings and bodies are never logged, because that is where keys and prompts live.
 */
import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import type { AppLogger } from '../logging/app-logger.js';
import type { RequestContext } from './request-context.js';

export function logRequest(logger: AppLogger, request: Request, response: Response, context: RequestContext): void {
  const completed = response.writableFinished;
  logger.info('HTTP request', {
    // Given explicitly: the response's 'close' event may run outside the request's log scope.
    requestId: context.requestId,
    method: request.method,
    // originalUrl without its query string: Gemini clients may put a key there.
    path: request.originalUrl.split('?', 1)[0],
    status: response.statusCode,
    durationMs: Number((performance.now() - context.startedAt).toFixed(3)),
    ...(context.backend === undefined ? {} : { backend: context.backend }),
    ...(context.userId === undefined ? {} : { user: context.userId }),
    ...(completed ? {} : { clientDisconnected: true }),
  });
}
