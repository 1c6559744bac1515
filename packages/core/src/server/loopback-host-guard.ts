/**
 * @fileoverview Single User Mode answers only requests addressed to a loopback name. A web
 * page can make a browser resolve its own domain to 127.0.0.1 (DNS rebinding) and then call
 * the proxy as a "same-origin" request; such requests still carry the page's domain in
 * `Host`, which is what this guard refuses.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';
import { sendErrorResponse } from './render-error-response.js';
import { requestContextOf } from './request-context.js';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for `localhost`, `127.0.0.1` or `[::1]`, each with an optional port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(host.trim());
  return match?.[1] !== undefined && LOOPBACK_HOSTNAMES.has(match[1].toLowerCase());
}

/** Host values remembered per guard; clients send the same one or two values every time. */
const REMEMBERED_HOSTS = 64;

export function loopbackHostGuard(): RequestHandler {
  const verdicts = new Map<string, boolean>();
  const isAllowed = (host: string | undefined): boolean => {
    if (host === undefined) return false;
    let allowed = verdicts.get(host);
    if (allowed === undefined) {
      allowed = isLoopbackHost(host);
      if (verdicts.size >= REMEMBERED_HOSTS) verdicts.clear();
      verdicts.set(host, allowed);
    }
    return allowed;
  };
  return (request, response, next) => {
    const host = request.headers.host;
    if (isAllowed(host)) {
      next();
      return;
    }
    sendErrorResponse(
      response,
      new LlmProxyError({
        code: 'HOST_NOT_ALLOWED',
        message:
          'Request refused: in Single User Mode the proxy only answers requests addressed to localhost, 127.0.0.1 or [::1] ' +
          '(this protects it from web pages using DNS rebinding)',
        currentValue: host === undefined ? 'no Host header' : `Host: ${truncate(host)}`,
        fix:
          'Address the proxy as http://127.0.0.1:<port> or http://localhost:<port>; for access under another name, ' +
          'run in Multi User Mode (--multi-user-mode) with API keys',
        httpStatus: 403,
      }),
      requestContextOf(response).family,
    );
  };
}

function truncate(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}
