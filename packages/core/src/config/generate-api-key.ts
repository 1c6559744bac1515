/**
 * @fileoverview The API key generated for one run when auth is on and no keys are configured
 * on a loopback host, so the default start is authenticated and still usable.
 */
import { randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe, with a recognisable prefix. */
export function generateApiKey(): string {
  return `llmproxy-${randomBytes(32).toString('base64url')}`;
}
