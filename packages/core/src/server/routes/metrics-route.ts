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

/**
 * @param isAdmin whether a caller is marked `admin: true` in the caller settings (as for
 *   `/admin/usage`): the metrics show every backend's traffic, which is the operator's business.
 */
export function metricsRoute(
  metrics: Pick<PrometheusMetrics, 'contentType' | 'render'>,
  isAdmin: (callerId: string, groups: readonly string[]) => boolean,
): RequestHandler {
  return async (_request, response) => {
    const { userId, callerGroups } = requestContextOf(response);
    // userId is undefined only when authentication is off.
    if (userId !== undefined && !isAdmin(userId, callerGroups)) {
      throw new LlmProxyError({
        code: 'METRICS_FORBIDDEN',
        message: `The metrics are for admin callers, and ${userId} is not one`,
        currentValue: `signed in as ${userId}`,
        fix: `Mark the caller admin in the config (callers: { "${userId}": { admin: true } }), or read the metrics on the metrics port (metrics.port)`,
        httpStatus: 403,
      });
    }
    response.setHeader('content-type', metrics.contentType);
    response.setHeader('cache-control', 'no-store');
    response.end(await metrics.render());
  };
}
