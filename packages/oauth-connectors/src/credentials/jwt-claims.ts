/**
 * @fileoverview The claims of a JSON Web Token, read without verifying its signature: the proxy
 * only reads what its own login already holds (an expiry, an account id, an email), and the
 * upstream verifies the token itself.
 */
import { isRecord } from '@llmproxy/connector-sdk';

/** The payload of `token`, or undefined when it is not a JWT with a JSON object payload. */
export function jwtClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  const payload = token.split('.')[1];
  if (payload === undefined || payload === '') return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isRecord(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` claim of `token` in epoch milliseconds, or undefined. */
export function jwtExpiryMs(token: unknown): number | undefined {
  const exp = jwtClaims(token)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
