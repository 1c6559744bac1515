/**
 * @fileoverview The `x-llmproxy-overhead-ms` response header: the time the proxy itself spent
 * on a request until its response headers went out, minus the time spent waiting on the
 * upstream, so users and benchmarks can see the proxy's own cost.
 */
import { performance } from 'node:perf_hooks';
import type { Response } from 'express';
import { findRequestContext, type RequestContext } from './request-context.js';

export const PROXY_OVERHEAD_HEADER = 'x-llmproxy-overhead-ms';

/**
 * Makes every response of an app set the overhead header at the moment its headers are
 * written, whoever writes them: Node writes headers through writeHead whether a route calls it,
 * res.end() writes them implicitly or flushHeaders() sends them early for a stream, so this is
 * the one place that sees the true time at which headers leave. Installed once on the app's
 * response prototype (`app.response`) rather than on each response.
 */
export function installProxyOverheadHeader(responsePrototype: Response): void {
  const writeHead = responsePrototype.writeHead;
  responsePrototype.writeHead = function writeHeadWithOverhead(this: Response, ...values: unknown[]) {
    if (!this.headersSent) {
      const context = findRequestContext(this);
      if (context !== undefined) {
        this.setHeader(PROXY_OVERHEAD_HEADER, proxyOverheadMilliseconds(context).toFixed(3));
        // The first byte for usage records, metrics and traces (a stream's headers go out with its first event).
        context.firstByteAt = performance.now();
        context.observation?.firstByte(context.firstByteAt, context.chat);
      }
    }
    // writeHead's optional parameters are forwarded exactly as given.
    return (writeHead as (...values: unknown[]) => Response).apply(this, values);
  } as Response['writeHead'];
}

/** Elapsed time since the request arrived, minus the upstream wait, never negative. */
export function proxyOverheadMilliseconds(context: RequestContext): number {
  const elapsed = performance.now() - context.startedAt;
  return Math.max(0, elapsed - (context.upstreamTiming?.upstreamMs ?? 0));
}
