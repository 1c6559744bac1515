/**
 * @fileoverview Browser access control. A local proxy holds the user's credentials, so a web
 * page must not be able to spend them: requests carrying an `Origin` that is not on
 * `server.allowed_origins` are refused outright (a refused CORS response alone would not stop
 * a "simple" POST from reaching the upstream). Allowed origins get CORS responses for exactly
 * their origin, preflight included; there is no `*`.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';
import { PROXY_OVERHEAD_HEADER } from './proxy-overhead-header.js';
import { DROPPED_FIELDS_HEADER } from './dropped-fields-header.js';
import { sendErrorResponse } from './render-error-response.js';
import { requestContextOf } from './request-context.js';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const EXPOSED_HEADERS = ['retry-after', PROXY_OVERHEAD_HEADER, DROPPED_FIELDS_HEADER, 'x-llmproxy-backend', 'ratelimit', 'ratelimit-policy'].join(', ');
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** Lower-cases and drops a trailing slash, as browsers never send one. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

export function browserOriginPolicy(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins.map(normalizeOrigin));
  return (request, response, next) => {
    const origin = request.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    if (!allowed.has(normalizeOrigin(origin))) {
      sendErrorResponse(
        response,
        new LlmProxyError({
          code: 'ORIGIN_NOT_ALLOWED',
          message: 'Request refused: the browser origin is not allowed to call the proxy',
          currentValue: `Origin: ${origin.length > 200 ? `${origin.slice(0, 200)}…` : origin}`,
          fix:
            'If you trust the web page at this origin, add it to server.allowed_origins in the YAML config, ' +
            `e.g. "server: { allowed_origins: ['${origin.length > 200 ? 'https://example.com' : origin}'] }"`,
          httpStatus: 403,
        }),
        requestContextOf(response).family,
      );
      return;
    }
    response.vary('Origin');
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    const requestedMethod = request.headers['access-control-request-method'];
    if (request.method === 'OPTIONS' && requestedMethod !== undefined) {
      // A preflight carries no credentials, so it is answered here, before authentication.
      response.vary('Access-Control-Request-Headers');
      response.setHeader('access-control-allow-methods', ALLOWED_METHODS);
      const requestedHeaders = request.headers['access-control-request-headers'];
      if (requestedHeaders !== undefined) response.setHeader('access-control-allow-headers', requestedHeaders);
      response.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      response.status(204).end();
      return;
    }
    next();
  };
}
