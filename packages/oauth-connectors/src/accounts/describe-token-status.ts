/**
 * @fileoverview How a stored login's token looks, in words, without showing it.
 */
import type { CredentialsRecord } from '../credentials/credentials-file.js';

export function describeTokenStatus(record: CredentialsRecord, now: number = Date.now()): string {
  if (typeof record['refresh_token'] !== 'string' || record['refresh_token'] === '') return 'no refresh token (log in again)';
  const expiry = Number(record['expiry_date']);
  if (!Number.isFinite(expiry)) return 'token without expiry (refreshed when refused)';
  const at = new Date(expiry).toISOString();
  return expiry > now ? `token valid until ${at}` : `token expired at ${at} (refreshed on next use)`;
}
