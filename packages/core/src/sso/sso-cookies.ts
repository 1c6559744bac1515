/**
 * @fileoverview The two cookies of the sign-in pages: the browser binding (ties a sign-in
 * attempt to the browser that started it) and the session of a signed-in user. Both are
 * HttpOnly, SameSite=Lax (sent on the provider's redirect back, a top-level GET), limited to
 * the `/auth` pages, and Secure whenever the proxy is reached over HTTPS.
 */
import type { CookieOptions, Request, Response } from 'express';

export const BINDING_COOKIE = 'llmproxy_sso_binding';
export const SESSION_COOKIE = 'llmproxy_sso_session';

/** Where the pages live as the browser sees them (`https://host/prefix`), without a trailing slash. */
export interface PageAddress {
  base: string;
  secure: boolean;
  cookiePath: string;
}

export function pageAddress(request: Request, publicUrl: string | undefined): PageAddress {
  // Without a configured public address, the request's own Host is used. It only shapes links
  // and the callback URL, which the identity provider checks against its registered list.
  const base = publicUrl ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
  const url = new URL(base);
  return { base, secure: url.protocol === 'https:', cookiePath: `${url.pathname.replace(/\/+$/, '')}/auth` };
}

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1 || part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function setCookie(response: Response, address: PageAddress, name: string, value: string, maxAgeMs: number): void {
  response.cookie(name, value, cookieOptions(address, maxAgeMs));
}

export function clearCookie(response: Response, address: PageAddress, name: string): void {
  const { maxAge: _maxAge, ...options } = cookieOptions(address, 0);
  response.clearCookie(name, options);
}

function cookieOptions(address: PageAddress, maxAgeMs: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: address.secure, path: address.cookiePath, maxAge: maxAgeMs };
}
