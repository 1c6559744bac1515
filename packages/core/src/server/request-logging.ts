/**
 * @fileoverview One log entry per request: method, path, status, duration, backend and the
 * token usage the upstream reported (input and output tokens). Headers,
 * query strings and bodies are never logged, because that is where keys and prompts live.
 */
import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import type { AppLogger } from '../logging/app-logger.js';
import type { RequestContext } from './request-context.js';

export function logRequest(logger: AppLogger, request: Request, response: Response, context: RequestContext): void {
  const completed = response.writableFinished;
  logger.info('HTTP request', {
    method: request.method,
    // originalUrl without its query string: Gemini clients may put a key there.
    path: request.originalUrl.split('?', 1)[0],
    status: response.statusCode,
    durationMs: Number((performance.now() - context.startedAt).toFixed(3)),
    ...(context.backend === undefined ? {} : { backend: context.backend }),
    ...(context.userId === undefined ? {} : { user: context.userId }),
    ...(context.usage === undefined ? {} : { inputTokens: context.usage.inputTokens, outputTokens: context.usage.outputTokens }),
    ...(completed ? {} : { clientDisconnected: true }),
  });
}
