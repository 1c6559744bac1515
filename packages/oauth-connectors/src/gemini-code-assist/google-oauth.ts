/**
 * @fileoverview Google OAuth as the Gemini CLI uses it: its installed-application client (whose
 * "secret" Google documents as not secret for installed apps, and which the token endpoint still
 * requires), its scopes, and the refresh-token grant.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { oauthErrorOf, postForm } from '../credentials/post-form.js';

/** The Gemini CLI's OAuth client id. */
export const GEMINI_CLI_CLIENT_ID = '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';
/** The Gemini CLI's installed-application client secret (public by design, required by the token endpoint). */
export const GEMINI_CLI_CLIENT_SECRET = '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';
export const GEMINI_CLI_SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
] as const;

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const GOOGLE_AUTHORIZATION_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

/** Refresh Google access tokens this long before they expire. */
export const GOOGLE_REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface GoogleRefreshOptions {
  http: UpstreamHttpClient;
  tokenUrl: string;
  /** Names the login in messages, e.g. the credentials file or the pool account. */
  accountLabel: string;
  /** How to log in again, as advice. */
  loginHint: string;
  backendName: string;
  now?: () => number;
}

/**
 * Exchanges a refresh token (form-encoded `grant_type=refresh_token` with the Gemini CLI's
 * client id and secret). Google answers with `expires_in` and usually no new refresh token: the
 * result computes `expiry_date` and keeps the old refresh token by leaving it out.
 * `invalid_grant` is final: the login was revoked or expired.
 */
export async function refreshGoogleToken(
  record: CredentialsRecord & { refresh_token: string },
  options: GoogleRefreshOptions,
): Promise<CredentialsRecord> {
  const now = options.now ?? Date.now;
  const response = await postForm(options.http, options.tokenUrl, {
    grant_type: 'refresh_token',
    refresh_token: record.refresh_token,
    client_id: GEMINI_CLI_CLIENT_ID,
    client_secret: GEMINI_CLI_CLIENT_SECRET,
  });
  const body = isRecord(response.json) ? response.json : undefined;
  if (response.status >= 200 && response.status < 300 && typeof body?.['access_token'] === 'string') {
    const updates: CredentialsRecord = { access_token: body['access_token'] };
    updates['token_type'] = typeof body['token_type'] === 'string' ? body['token_type'] : 'Bearer';
    const expiresIn = typeof body['expires_in'] === 'number' ? body['expires_in'] : Number(body['expires_in'] ?? 3600);
    updates['expiry_date'] = now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000;
    if (typeof body['refresh_token'] === 'string' && body['refresh_token'] !== '') updates['refresh_token'] = body['refresh_token'];
    if (typeof body['id_token'] === 'string') updates['id_token'] = body['id_token'];
    if (typeof body['scope'] === 'string') updates['scope'] = body['scope'];
    return updates;
  }
  const { error, description } = oauthErrorOf(response);
  if (error === 'invalid_grant') {
    throw googleLoginRequired(options, `Google refused its refresh token (invalid_grant${description === '' ? '' : `: ${description}`})`);
  }
  throw new LlmProxyError({
    code: 'GEMINI_OAUTH_REFRESH_FAILED',
    message: `Refreshing the Google login of ${options.accountLabel} (backend ${options.backendName}) failed: the token endpoint answered HTTP ${response.status} (${error}${description === '' ? '' : `: ${description}`})`,
    fix: 'Retry later; if it persists, log in again: ' + options.loginHint,
    httpStatus: 502,
    details: { backend: options.backendName },
  });
}

/** The error for a Google login that must be renewed by logging in again (never retried). */
export function googleLoginRequired(options: Pick<GoogleRefreshOptions, 'accountLabel' | 'loginHint' | 'backendName'>, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'GEMINI_OAUTH_LOGIN_REQUIRED',
    message: `The Google login of ${options.accountLabel} (backend ${options.backendName}) can no longer be used: ${reason}`,
    fix: `Log in again: ${options.loginHint}`,
    httpStatus: 401,
    details: { backend: options.backendName, loginRequired: true },
  });
}
