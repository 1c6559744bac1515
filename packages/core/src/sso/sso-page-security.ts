/**
 * @fileoverview Response headers of every sign-in page: a Content-Security-Policy that lets
 * only the page's own nonce-tagged style and script run, no framing, no caching (pages carry
 * tokens and CSRF tokens), and no referrer to other sites (URLs carry codes and states).
 */
import { randomBytes } from 'node:crypto';

import type { RequestHandler, Response } from 'express';

const nonces = new WeakMap<Response, string>();

export function ssoPageSecurity(): RequestHandler {
  return (_request, response, next) => {
    const nonce = randomBytes(16).toString('base64');
    nonces.set(response, nonce);
    response.setHeader(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self'; ` +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('x-frame-options', 'DENY');
    // same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on form posts, which the CSRF check refuses.
    response.setHeader('referrer-policy', 'same-origin');
    next();
  };
}

/** The nonce the page's `<style>` and `<script>` must carry. */
export function pageNonce(response: Response): string {
  const nonce = nonces.get(response);
  if (nonce === undefined) throw new Error('ssoPageSecurity must run before a page is rendered');
  return nonce;
}
