/**
 * @fileoverview Personal proxy tokens: 32 random bytes behind a recognisable prefix, so the
 * proxy (and secret scanners) can tell one from a static API key or an IdP-issued JWT. Only
 * a SHA-256 digest is stored; with this much entropy a slow hash would add nothing.
 */
import { createHash, randomBytes } from 'node:crypto';

export const PROXY_TOKEN_PREFIX = 'llmproxy-sso-';

export interface NewProxyToken {
  /** Shown to the user once, never stored. */
  token: string;
  tokenHash: string;
  /** Public handle for listing and revoking. */
  id: string;
}

export function generateProxyToken(): NewProxyToken {
  const token = `${PROXY_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  // Hex, not base64url: an id starting with '-' would read as a flag to `llm-proxy tokens revoke`.
  return { token, tokenHash: hashSecret(token), id: randomBytes(9).toString('hex') };
}

export function isProxyTokenShape(candidate: string): boolean {
  return candidate.startsWith(PROXY_TOKEN_PREFIX);
}

/** Digest under which tokens, session ids and sign-in states are stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** A fresh random value for cookies, CSRF tokens and the like. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
