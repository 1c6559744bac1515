/**
 * @fileoverview Refreshing a Kiro login. Builder ID (SSO OIDC) logins use the SSO OIDC token
 * endpoint with their client id and secret; social (Google/GitHub) logins use Kiro's own refresh
 * endpoint (`POST {kiro_auth_url}/refreshToken` with `{refreshToken}`), whose answer may carry a
 * new `profileArn`. Either may rotate the refresh token; the new one is stored.
 *
 * A client registration lives about 90 days: once it expired (`invalid_client`, or its
 * `clientSecretExpiresAt` passed), the account needs a new login, and so does a refused refresh
 * token.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { jsonObjectOf, postJson } from '../credentials/post-json.js';
import { kiroAuthMethod, kiroRegion, text } from './kiro-credentials.js';
import { SsoOidcClient } from './sso-oidc-client.js';

/** Refresh Kiro access tokens this long before they expire. */
export const KIRO_REFRESH_MARGIN_MS = 5 * 60 * 1000;

export function kiroAuthUrl(region: string): string {
  return `https://prod.${region}.auth.desktop.kiro.dev`;
}

export interface KiroRefreshOptions {
  http: UpstreamHttpClient;
  /** The SSO OIDC endpoint for a region. */
  oidcUrl(region: string): string;
  /** Kiro's auth service for a region. */
  kiroAuthUrl(region: string): string;
  accountLabel: string;
  loginHint: string;
  backendName: string;
  now: () => number;
}

export async function refreshKiroToken(record: CredentialsRecord & { refresh_token: string }, options: KiroRefreshOptions): Promise<CredentialsRecord> {
  const region = kiroRegion(record);
  return kiroAuthMethod(record) === 'social' ? refreshSocialLogin(record.refresh_token, region, options) : refreshBuilderIdLogin(record, region, options);
}

async function refreshSocialLogin(refreshToken: string, region: string, options: KiroRefreshOptions): Promise<CredentialsRecord> {
  const response = await postJson(options.http, `${options.kiroAuthUrl(region)}/refreshToken`, { refreshToken });
  const body = jsonObjectOf(response);
  if (response.status >= 200 && response.status < 300 && text(body['accessToken']) !== undefined) {
    return { ...tokenUpdates(body, options.now()), ...(text(body['profileArn']) === undefined ? {} : { profileArn: body['profileArn'] }) };
  }
  const reason = typeof body['message'] === 'string' ? body['message'] : typeof body['error'] === 'string' ? body['error'] : `HTTP ${response.status}`;
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    throw kiroLoginRequired(options, `Kiro's refresh endpoint refused its refresh token (HTTP ${response.status}: ${reason})`);
  }
  throw refreshFailed(options, `Kiro's refresh endpoint answered HTTP ${response.status} (${reason})`);
}

async function refreshBuilderIdLogin(record: CredentialsRecord & { refresh_token: string }, region: string, options: KiroRefreshOptions): Promise<CredentialsRecord> {
  const clientId = text(record['clientId']);
  const clientSecret = text(record['clientSecret']);
  if (clientId === undefined || clientSecret === undefined) {
    throw kiroLoginRequired(options, 'it is an AWS Builder ID login without the clientId and clientSecret of its OIDC client registration');
  }
  const expiresAt = Number(record['clientSecretExpiresAt']);
  if (Number.isFinite(expiresAt) && expiresAt > 0 && expiresAt * 1000 <= options.now()) {
    throw registrationExpired(options, `its OIDC client registration expired at ${new Date(expiresAt * 1000).toISOString()}`);
  }
  const answer = await new SsoOidcClient(options.http, options.oidcUrl(region)).createTokenWithRefreshToken(clientId, clientSecret, record.refresh_token);
  if (answer.ok && text(answer.body['accessToken']) !== undefined) return tokenUpdates(answer.body, options.now());
  const detail = `${answer.error}${answer.description === '' ? '' : `: ${answer.description}`}`;
  if (answer.error === 'invalid_client' || answer.error === 'unauthorized_client') {
    throw registrationExpired(options, `AWS SSO OIDC no longer accepts its client registration (${detail}); registrations expire about 90 days after the login`);
  }
  if (answer.error === 'invalid_grant' || answer.error === 'expired_token' || answer.error === 'access_denied') {
    throw kiroLoginRequired(options, `AWS SSO OIDC refused its refresh token (${detail})`);
  }
  throw refreshFailed(options, `the AWS SSO OIDC token endpoint answered HTTP ${answer.status} (${detail})`);
}

/** `accessToken`, a rotated `refreshToken`, and `expiresAt` from `expiresIn` seconds. */
export function tokenUpdates(body: Record<string, unknown>, now: number): CredentialsRecord {
  const expiresIn = Number(body['expiresIn'] ?? 3600);
  const updates: CredentialsRecord = {
    accessToken: body['accessToken'],
    expiresAt: new Date(now + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000).toISOString(),
  };
  if (text(body['refreshToken']) !== undefined) updates['refreshToken'] = body['refreshToken'];
  return updates;
}

/** The error for a Kiro login that must be renewed by logging in again (never retried). */
export function kiroLoginRequired(options: Pick<KiroRefreshOptions, 'accountLabel' | 'loginHint' | 'backendName'>, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'KIRO_LOGIN_REQUIRED',
    message: `The Kiro login of ${options.accountLabel} (backend ${options.backendName}) can no longer be used: ${reason}`,
    fix: `Log in again: ${options.loginHint}`,
    httpStatus: 401,
    details: { backend: options.backendName, loginRequired: true },
  });
}

function registrationExpired(options: Pick<KiroRefreshOptions, 'accountLabel' | 'loginHint' | 'backendName'>, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'KIRO_CLIENT_REGISTRATION_EXPIRED',
    message: `The AWS Builder ID login of ${options.accountLabel} (backend ${options.backendName}) needs a new login: ${reason}`,
    fix: `Log in again: ${options.loginHint}`,
    httpStatus: 401,
    details: { backend: options.backendName, loginRequired: true },
  });
}

function refreshFailed(options: Pick<KiroRefreshOptions, 'accountLabel' | 'loginHint' | 'backendName'>, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'KIRO_OAUTH_REFRESH_FAILED',
    message: `Refreshing the Kiro login of ${options.accountLabel} (backend ${options.backendName}) failed: ${reason}`,
    fix: `Retry later; if it persists, log in again: ${options.loginHint}`,
    httpStatus: 502,
    details: { backend: options.backendName },
  });
}
