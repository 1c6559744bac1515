/**
 * @fileoverview A Kiro login as the pool stores it (one JSON file per account), in the shape of
 * Kiro's own token file (`~/.aws/sso/cache/kiro-auth-token.json`) plus the OIDC client it was
 * issued to:
 *
 * ```json
 * { "accessToken": "...", "refreshToken": "...", "expiresAt": "2026-01-01T00:00:00.000Z",
 *   "authMethod": "IdC" | "social", "provider": "BuilderId" | "Google" | "Github",
 *   "region": "us-east-1",
 *   "clientId": "...", "clientSecret": "...", "clientSecretExpiresAt": 1767225600,   (Builder ID)
 *   "profileArn": "arn:aws:codewhisperer:..." }                                       (social)
 * ```
 *
 * Builder ID (AWS SSO OIDC) logins refresh at the SSO OIDC token endpoint with their client id
 * and secret; social logins refresh at Kiro's own endpoint and carry a `profileArn`, which only
 * they send with requests.
 */
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import type { TokenRecordFields } from '../credentials/oauth-token-store.js';

export const DEFAULT_KIRO_REGION = 'us-east-1';

export type KiroAuthMethod = 'builder-id' | 'social';

export const KIRO_TOKEN_FIELDS: TokenRecordFields = Object.freeze({
  accessToken: (record: CredentialsRecord) => text(record['accessToken']),
  refreshToken: (record: CredentialsRecord) => text(record['refreshToken']),
  expiresAtMs: (record: CredentialsRecord) => {
    const expiresAt = record['expiresAt'];
    if (expiresAt === undefined || expiresAt === null) return undefined;
    return typeof expiresAt === 'number' ? expiresAt : Date.parse(String(expiresAt));
  },
  tokenType: () => 'Bearer',
});

/** Social logins say so (`authMethod: social`); everything else is an SSO OIDC (Builder ID / IdC) login. */
export function kiroAuthMethod(record: CredentialsRecord): KiroAuthMethod {
  return String(record['authMethod'] ?? '').toLowerCase() === 'social' ? 'social' : 'builder-id';
}

export function kiroRegion(record: CredentialsRecord): string {
  return text(record['region']) ?? DEFAULT_KIRO_REGION;
}

/** The profile ARN a social login sends; never one for Builder ID. */
export function kiroProfileArn(record: CredentialsRecord): string | undefined {
  return kiroAuthMethod(record) === 'social' ? text(record['profileArn']) : undefined;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
