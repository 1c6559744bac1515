/**
 * @fileoverview The rows of the SSO tables as both SQL stores (SQLite, PostgreSQL) read them, and
 * the records they become: one mapping, so the two stores cannot drift apart.
 */
import type { BrowserSessionRecord, LoginAttemptRecord, ProxyTokenRecord } from './sso-store.js';
import type { SsoUser } from './sso-user.js';

/** Times are milliseconds since the epoch. */
export interface TokenRow {
  id: string;
  token_hash: string;
  user_json: string;
  label: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface SessionRow {
  session_hash: string;
  user_json: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface AttemptRow {
  state_hash: string;
  binding_hash: string;
  provider_id: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  created_at: number;
  expires_at: number;
}

export function tokenFromRow(row: TokenRow): ProxyTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    user: JSON.parse(row.user_json) as SsoUser,
    label: row.label,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at ?? undefined,
    lastUsedAt: row.last_used_at ?? undefined,
  };
}

export function sessionFromRow(row: SessionRow): BrowserSessionRecord {
  return {
    sessionHash: row.session_hash,
    user: JSON.parse(row.user_json) as SsoUser,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function attemptFromRow(row: AttemptRow): LoginAttemptRecord {
  return {
    stateHash: row.state_hash,
    bindingHash: row.binding_hash,
    providerId: row.provider_id,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    redirectUri: row.redirect_uri,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
