/**
 * @fileoverview The first middleware of the app: creates the request context, ties the
 * connector abort signal to a client disconnect, sets `x-request-id` (request-id.ts) and makes
 * every log entry of the request carry it, registers the request for shutdown draining, logs
 * the request when its response closes, and tells the metrics and traces observers (if any)
 * when it starts and ends. (The overhead header is set from
 * this context by proxy-overhead-header.ts.)
 */
import { performance } from 'node:perf_hooks';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';
import type { AppLogger } from '../logging/app-logger.js';
import type { RequestObserver } from '../observability/request-observer.js';
import type { InFlightRequests } from './in-flight-requests.js';
import { sendErrorResponse } from './render-error-response.js';
import { attachRequestContext, type RequestContext } from './request-context.js';
import { logRequest } from './request-logging.js';
import { endObservation, startObservation } from './request-observation.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { abortRequestSignal, registerRequestSignal } from '../upstream/request-signals.js';
import { routeFamilyOf } from './route-family.js';
import { startUpstreamTiming } from '../upstream/upstream-timing.js';

export function trackRequests(options: {
  inFlightRequests: InFlightRequests;
  logger: AppLogger;
  /** Metrics and traces; undefined when neither is on, and then nothing is observed. */
  observer?: RequestObserver | undefined;
}): RequestHandler {
  const { inFlightRequests, logger, observer } = options;
  // The level is fixed for the process: when the request line would be dropped, it is not built.
  const logRequests = logger.isLevelEnabled?.('info') ?? true;
  return (request, response, next) => {
    const abortController = new AbortController();
    const requestId = requestIdOf(request);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const context: RequestContext = {
      requestId,
      startedAt: performance.now(),
      family: routeFamilyOf(request.path),
      abortController,
      backend: undefined,
      // Upstream requests sent with this request's signal add their waits here.
      upstreamTiming: startUpstreamTiming(abortController.signal),
      authenticated: false,
      userId: undefined,
      callerGroups: [],
      errorCode: undefined,
      whenClosed: [],
    };
    attachRequestContext(response, context);
    registerRequestSignal(abortController, requestId);
    startObservation(observer, request, context);
    const release = inFlightRequests.track(context.abortController);
    response.once('close', () => {
      // 'close' before the response finished means the client went away: cancel the upstream.
      if (!response.writableFinished) abortRequestSignal(context.abortController);
      // Logged before release: shutdown closes the logger once the last request is released.
      if (logRequests) logRequest(logger, request, response, context);
      for (const step of context.whenClosed) {
        // A failing step must not keep the request registered: shutdown would wait for it.
        try {
          step();
        } catch (error) {
          logger.error('Bookkeeping after a request failed', { requestId, error });
        }
      }
      endObservation(response, request, context);
      release();
    });
    if (inFlightRequests.shuttingDown) {
      response.setHeader('connection', 'close');
      sendErrorResponse(
        response,
        new LlmProxyError({
          code: 'SERVER_SHUTTING_DOWN',
          message: 'The proxy is shutting down and accepts no new requests',
          fix: 'Retry against a running instance',
          httpStatus: 503,
        }),
        context.family,
      );
      return;
    }
    next();
  };
}
