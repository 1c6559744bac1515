/**
 * @fileoverview Qwen Code's OAuth client: its public client id, the device-code and token
 * endpoints under https://chat.qwen.ai, and the refresh-token grant. A 400 or 401 from the token
 * endpoint means the refresh token is no longer valid: log in again, do not retry.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { oauthErrorOf, postForm } from '../credentials/post-form.js';

export const QWEN_OAUTH_CLIENT_ID = 'f0304373b74a44d2b584a3fb70ca9e56';
export const QWEN_OAUTH_BASE_URL = 'https://chat.qwen.ai';
export const QWEN_OAUTH_SCOPE = 'openid profile email model.completion';
export const QWEN_DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Refresh Qwen tokens this long before they expire, as Qwen Code does. */
export const QWEN_REFRESH_MARGIN_MS = 30_000;

export function qwenTokenUrl(oauthBaseUrl: string): string {
  return `${oauthBaseUrl}/api/v1/oauth2/token`;
}

export function qwenDeviceCodeUrl(oauthBaseUrl: string): string {
  return `${oauthBaseUrl}/api/v1/oauth2/device/code`;
}

export interface QwenRefreshOptions {
  http: UpstreamHttpClient;
  oauthBaseUrl: string;
  credentialsFile: string;
  backendName: string;
  now?: () => number;
}

/** Exchanges the refresh token; the result keeps the old refresh token and resource_url unless new ones came. */
export async function refreshQwenToken(record: CredentialsRecord & { refresh_token: string }, options: QwenRefreshOptions): Promise<CredentialsRecord> {
  const now = options.now ?? Date.now;
  const response = await postForm(options.http, qwenTokenUrl(options.oauthBaseUrl), {
    grant_type: 'refresh_token',
    refresh_token: record.refresh_token,
    client_id: QWEN_OAUTH_CLIENT_ID,
  });
  const body = isRecord(response.json) ? response.json : undefined;
  if (response.status >= 200 && response.status < 300 && typeof body?.['access_token'] === 'string' && body['access_token'] !== '') {
    return qwenTokenUpdates(body, now());
  }
  const { error, description } = oauthErrorOf(response);
  if (response.status === 400 || response.status === 401) {
    throw qwenLoginRequired(options, `the Qwen token endpoint refused its refresh token (HTTP ${response.status}: ${error}${description === '' ? '' : `: ${description}`})`);
  }
  throw new LlmProxyError({
    code: 'QWEN_OAUTH_REFRESH_FAILED',
    message: `Refreshing the Qwen login in ${options.credentialsFile} (backend ${options.backendName}) failed: the token endpoint answered HTTP ${response.status} (${error}${description === '' ? '' : `: ${description}`})`,
    fix: 'Retry later; if it persists, log in again with Qwen Code (/auth) or `llm-proxy accounts add qwen`',
    httpStatus: 502,
    details: { backend: options.backendName },
  });
}

/** The credential fields of a token answer (device flow or refresh). */
export function qwenTokenUpdates(body: Record<string, unknown>, now: number): CredentialsRecord {
  const updates: CredentialsRecord = {
    access_token: body['access_token'],
    token_type: typeof body['token_type'] === 'string' ? body['token_type'] : 'Bearer',
  };
  const expiresIn = Number(body['expires_in'] ?? 3600);
  updates['expiry_date'] = now + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000;
  if (typeof body['refresh_token'] === 'string' && body['refresh_token'] !== '') updates['refresh_token'] = body['refresh_token'];
  if (typeof body['resource_url'] === 'string' && body['resource_url'] !== '') updates['resource_url'] = body['resource_url'];
  if (typeof body['id_token'] === 'string') updates['id_token'] = body['id_token'];
  return updates;
}

export function qwenLoginRequired(options: Pick<QwenRefreshOptions, 'credentialsFile' | 'backendName'>, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'QWEN_OAUTH_LOGIN_REQUIRED',
    message: `The Qwen login in ${options.credentialsFile} (backend ${options.backendName}) can no longer be used: ${reason}`,
    fix: 'Log in again: run Qwen Code and use /auth, or run `llm-proxy accounts add qwen`',
    httpStatus: 401,
    details: { backend: options.backendName, loginRequired: true },
  });
}
