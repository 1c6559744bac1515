/**
 * @fileoverview OpenAI's OAuth server as the Codex CLI uses it: its public client id, the token
 * endpoint, and the refresh grant (a JSON body with `client_id`, `grant_type`, `refresh_token`
 * and `scope`).
 *
 * OpenAI's refresh tokens work once: every refresh answers with a new refresh token (and id
 * token), which must be stored. A refresh token that was already used, expired or was revoked
 * is refused with 401 and `refresh_token_reused` / `refresh_token_expired` /
 * `refresh_token_invalidated`: the login must be renewed.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { jsonObjectOf, postJson, type JsonResponse } from '../credentials/post-json.js';
import { codexTokensOf } from './codex-auth-file.js';

/** The Codex CLI's OAuth client id (a public client: no secret). */
export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const OPENAI_AUTH_ISSUER = 'https://auth.openai.com';
/** The scope of a refresh, as the Codex CLI sends it. */
export const CODEX_REFRESH_SCOPE = 'openid profile email';
/** Refresh access tokens this long before they expire. */
export const CODEX_REFRESH_MARGIN_MS = 5 * 60 * 1000;

export function codexTokenUrl(issuer: string): string {
  return `${issuer}/oauth/token`;
}

export interface CodexRefreshOptions {
  http: UpstreamHttpClient;
  tokenUrl: string;
  /** Names the login in messages: the auth.json path or the pool account. */
  accountLabel: string;
  /** How to log in again, as advice. */
  loginHint: string;
  backendName: string;
  now?: () => number;
}

const REFUSALS: Readonly<Record<string, string>> = {
  refresh_token_reused: 'its refresh token was already used (each one works once; another program sharing the login, such as the Codex CLI, may have used it first)',
  refresh_token_expired: 'its refresh token has expired',
  refresh_token_invalidated: 'its refresh token was revoked',
  invalid_grant: 'its refresh token is no longer valid',
};

/**
 * Exchanges the login's refresh token. The result replaces the `tokens` object (keeping its other
 * fields, such as `account_id`) and sets `last_refresh`.
 */
export async function refreshCodexTokens(record: CredentialsRecord & { refresh_token: string }, options: CodexRefreshOptions): Promise<CredentialsRecord> {
  const now = options.now ?? Date.now;
  const response = await postJson(options.http, options.tokenUrl, {
    client_id: CODEX_CLIENT_ID,
    grant_type: 'refresh_token',
    refresh_token: record.refresh_token,
    scope: CODEX_REFRESH_SCOPE,
  });
  const body = jsonObjectOf(response);
  if (response.status >= 200 && response.status < 300 && typeof body['access_token'] === 'string' && body['access_token'] !== '') {
    const tokens: Record<string, unknown> = { ...codexTokensOf(record), access_token: body['access_token'] };
    for (const field of ['refresh_token', 'id_token'] as const) {
      if (typeof body[field] === 'string' && body[field] !== '') tokens[field] = body[field];
    }
    return { tokens, last_refresh: new Date(now()).toISOString() };
  }
  const code = refusalCode(response);
  const refusal = code === undefined ? undefined : REFUSALS[code];
  if (refusal !== undefined && (response.status === 401 || response.status === 400)) {
    throw codexLoginRequired(options, `${refusal} (${code})`, code);
  }
  throw new LlmProxyError({
    code: 'CODEX_OAUTH_REFRESH_FAILED',
    message: `Refreshing the ChatGPT login of ${options.accountLabel} (backend ${options.backendName}) failed: OpenAI's token endpoint answered HTTP ${response.status}${code === undefined ? '' : ` (${code})`}`,
    fix: `Retry later; if it persists, log in again: ${options.loginHint}`,
    httpStatus: 502,
    details: { backend: options.backendName },
  });
}

/** The error for a ChatGPT login that must be renewed by logging in again (never retried). */
export function codexLoginRequired(
  options: Pick<CodexRefreshOptions, 'accountLabel' | 'loginHint' | 'backendName'>,
  reason: string,
  refusal?: string,
): LlmProxyError {
  return new LlmProxyError({
    code: 'CODEX_LOGIN_REQUIRED',
    message: `The ChatGPT login of ${options.accountLabel} (backend ${options.backendName}) can no longer be used: ${reason}`,
    fix: `Log in again: ${options.loginHint}`,
    httpStatus: 401,
    details: { backend: options.backendName, loginRequired: true, ...(refusal === undefined ? {} : { refusal }) },
  });
}

/** `error.code`, `error` (a string) or `code` of an OAuth error answer. */
function refusalCode(response: JsonResponse): string | undefined {
  const body = jsonObjectOf(response);
  const error = body['error'];
  if (typeof error === 'string') return error.toLowerCase();
  if (isRecord(error) && typeof error['code'] === 'string') {
    return error['code'].toLowerCase();
  }
  return typeof body['code'] === 'string' ? body['code'].toLowerCase() : undefined;
}
