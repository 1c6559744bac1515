/**
 * @fileoverview Refuses a request that this proxy itself sent upstream (its `x-llmproxy-hops`
 * carries this process's instance id): a backend's base URL leads back to the proxy, directly or
 * through other proxies. Without the guard such a request circles until a timeout or a socket
 * limit ends it. A request that already passed `MAX_PROXY_HOPS` proxies is refused too, which ends
 * a loop between proxies that are each started afresh. Runs before authentication, because the
 * looping request carries the proxy's upstream credential, which would only earn a confusing 401.
 *
 * Otherwise the request's hops are recorded, so its upstream requests name them with this proxy
 * added.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';
import { MAX_PROXY_HOPS, parseHopsHeader, PROXY_HOPS_HEADER, PROXY_INSTANCE_ID, recordIncomingHops } from '../upstream/proxy-hops.js';
import { sendErrorResponse } from './render-error-response.js';
import { requestContextOf } from './request-context.js';

const LOOP_FIX =
  "Point each backend at its real upstream: unset ANTHROPIC_BASE_URL, OPENAI_BASE_URL and GEMINI_BASE_URL in the proxy's shell " +
  "(clients read the same variables; set them in the client's shell only), or set the backend's base_url " +
  '(backends.<name>.base_url) to the vendor API, and check that no other proxy sends requests back here';

export function proxyLoopGuard(): RequestHandler {
  return (request, response, next) => {
    const hops = parseHopsHeader(request.headers[PROXY_HOPS_HEADER]);
    const context = requestContextOf(response);
    if (hops.includes(PROXY_INSTANCE_ID)) {
      sendErrorResponse(
        response,
        new LlmProxyError({
          code: 'PROXY_LOOP_DETECTED',
          message: 'Request refused: it was sent by this llm-proxy itself, so a backend base URL leads back to the proxy and the request would loop',
          currentValue: `${PROXY_HOPS_HEADER} names this proxy after ${hops.indexOf(PROXY_INSTANCE_ID)} other proxies`,
          fix: LOOP_FIX,
          httpStatus: 508,
        }),
        context.family,
      );
      return;
    }
    if (hops.length >= MAX_PROXY_HOPS) {
      sendErrorResponse(
        response,
        new LlmProxyError({
          code: 'PROXY_HOP_LIMIT_EXCEEDED',
          message: `Request refused: it already passed ${MAX_PROXY_HOPS} or more llm-proxy instances, which is a loop between proxies`,
          currentValue: `${PROXY_HOPS_HEADER} names ${hops.length > MAX_PROXY_HOPS ? `more than ${MAX_PROXY_HOPS}` : hops.length} proxies`,
          fix: LOOP_FIX,
          httpStatus: 508,
        }),
        context.family,
      );
      return;
    }
    recordIncomingHops(context.abortController.signal, hops);
    next();
  };
}
