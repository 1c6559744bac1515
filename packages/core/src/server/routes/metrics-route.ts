/**
 * @fileoverview `GET /metrics` on the main port: the Prometheus metrics, for the operator.
 * Client authentication runs before this route, so an anonymous request never gets here (401).
 * The operator is a client holding one of the configured API keys (`auth.api_keys`), or anyone
 * when authentication is off; a user signed in through SSO is a user of the proxy, not its
 * operator, and is refused (METRICS_FORBIDDEN), since the metrics describe every caller's traffic.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';
import type { PrometheusMetrics } from '../../observability/prometheus-metrics.js';
import { requestContextOf } from '../request-context.js';

export const METRICS_PATH = '/metrics';

/** The callers that authenticated with a configured static key: `api-key#<n>`. */
const STATIC_KEY_CALLER = /^api-key#[0-9]+$/;

export function metricsRoute(metrics: Pick<PrometheusMetrics, 'contentType' | 'render'>): RequestHandler {
  return async (_request, response) => {
    const { userId } = requestContextOf(response);
    // userId is undefined only when authentication is off.
    if (userId !== undefined && !STATIC_KEY_CALLER.test(userId)) {
      throw new LlmProxyError({
        code: 'METRICS_FORBIDDEN',
        message: 'The metrics are for the operator: they need one of the configured API keys',
        currentValue: `signed in as ${userId}`,
        fix: 'Send one of the keys in auth.api_keys, or read the metrics on the metrics port (metrics.port)',
        httpStatus: 403,
      });
    }
    response.setHeader('content-type', metrics.contentType);
    response.setHeader('cache-control', 'no-store');
    response.end(await metrics.render());
  };
}
