/**
 * @fileoverview The server's side of its observers (metrics, traces): starts a request's
 * observation, and ends it with what the request context learned. Request tracking calls these
 * at a request's arrival and at its response's close, the points where it already logs.
 */
import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import type { RequestObserver } from '../observability/request-observer.js';
import type { RequestContext } from './request-context.js';

/** Status reported for a request whose client left before any answer went out (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

export function startObservation(observer: RequestObserver | undefined, request: Request, context: RequestContext): void {
  if (observer === undefined) return;
  context.observation = observer.requestStarted({
    method: request.method,
    path: request.path,
    startedAt: context.startedAt,
    signal: context.abortController.signal,
  });
}

export function endObservation(response: Response, request: Request, context: RequestContext): void {
  const observation = context.observation;
  if (observation === undefined) return;
  const clientDisconnected = !response.writableFinished;
  observation.ended({
    method: request.method,
    status: clientDisconnected && !response.headersSent ? CLIENT_CLOSED_REQUEST : response.statusCode,
    startedAt: context.startedAt,
    endedAt: performance.now(),
    firstByteAt: context.firstByteAt,
    // The usage the route observed (relayed or translated) is the one the log line carries too.
    chat: context.chat === undefined || context.usage === undefined ? context.chat : { ...context.chat, usage: context.usage },
    caller: context.userId,
    errorCode: context.errorCode,
    clientDisconnected,
  });
}
