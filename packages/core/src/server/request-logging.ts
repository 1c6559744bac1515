/**
 * @fileoverview One log entry per request: its id, method, path, status, duration, backend and
 * the token usage the upstream reported (input and output tokens); and for a 4xx the proxy
 * answered itself, a second entry with the code and the offending fields' names, so "why did my
 * client get 400" is answered from the log alone. Headers, query strings, bodies and field values
 * are never logged, because that is where keys and prompts live.
 */
import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import { limitedFieldList } from '../canonical/translation-fidelity.js';
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
    ...(context.usage === undefined ? {} : { inputTokens: context.usage.inputTokens, outputTokens: context.usage.outputTokens }),
    ...(completed ? {} : { clientDisconnected: true }),
  });
  if (context.refusal !== undefined) {
    const { shown, more } = limitedFieldList(context.refusal.fields);
    logger.info('Request refused', {
      requestId: context.requestId,
      method: request.method,
      path: request.originalUrl.split('?', 1)[0],
      status: response.statusCode,
      code: context.refusal.code,
      ...(shown.length === 0 ? {} : { fields: shown }),
      ...(more > 0 ? { moreFields: more } : {}),
      ...(context.backend === undefined ? {} : { backend: context.backend }),
    });
  }
}
