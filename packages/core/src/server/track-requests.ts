/**
 * @fileoverview The first middleware of the app: creates the request context, ties the
 * connector abort signal to a client disconnect, registers the request for shutdown
 * draining, adds the overhead header and logs the request when its response closes.
 */
import { performance } from 'node:perf_hooks';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';
import type { AppLogger } from '../logging/app-logger.js';
import type { InFlightRequests } from './in-flight-requests.js';
import { addProxyOverheadHeader } from './proxy-overhead-header.js';
import { sendErrorResponse } from './render-error-response.js';
import { attachRequestContext, type RequestContext } from './request-context.js';
import { logRequest } from './request-logging.js';
import { routeFamilyOf } from './route-family.js';

export function trackRequests(options: { inFlightRequests: InFlightRequests; logger: AppLogger }): RequestHandler {
  const { inFlightRequests, logger } = options;
  return (request, response, next) => {
    const context: RequestContext = {
      startedAt: performance.now(),
      family: routeFamilyOf(request.path),
      abortController: new AbortController(),
      backend: undefined,
      upstreamTiming: undefined,
      authenticated: false,
    };
    attachRequestContext(response, context);
    addProxyOverheadHeader(response, context);
    const release = inFlightRequests.track(context.abortController);
    response.once('close', () => {
      // 'close' before the response finished means the client went away: cancel the upstream.
      if (!response.writableFinished) context.abortController.abort();
      release();
      logRequest(logger, request, response, context);
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
