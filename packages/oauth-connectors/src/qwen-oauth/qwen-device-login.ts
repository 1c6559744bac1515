/**
 * @fileoverview Logging in to Qwen the way Qwen Code does: the OAuth device authorization grant
 * with PKCE (S256). The user opens the verification link and approves; meanwhile the token
 * endpoint is polled, waiting on `authorization_pending` and slowing down on `slow_down`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { deviceCodeLifetimeSeconds } from '../credentials/device-code-lifetime.js';
import { oauthErrorOf, postForm } from '../credentials/post-form.js';
import {
  QWEN_DEVICE_CODE_GRANT,
  QWEN_OAUTH_CLIENT_ID,
  QWEN_OAUTH_SCOPE,
  qwenDeviceCodeUrl,
  qwenTokenUpdates,
  qwenTokenUrl,
} from './qwen-oauth-client.js';

export interface QwenDeviceLoginOptions {
  http: UpstreamHttpClient;
  oauthBaseUrl: string;
  /** Shows the user where to approve the login, and how long the code stays valid (seconds). */
  prompt(verification: { url: string; userCode: string; expiresInSeconds: number }): void;
  /** First wait between polls, in milliseconds (Qwen Code: 2000). */
  pollIntervalMs?: number;
  /** Longest wait between polls after `slow_down` answers. */
  maxPollIntervalMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** Runs the device flow; resolves with the credential fields to store. */
export async function loginWithQwenDeviceCode(options: QwenDeviceLoginOptions): Promise<CredentialsRecord> {
  const now = options.now ?? Date.now;
  const signal = options.signal ?? new AbortController().signal;
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');

  const authorization = await postForm(
    options.http,
    qwenDeviceCodeUrl(options.oauthBaseUrl),
    { client_id: QWEN_OAUTH_CLIENT_ID, scope: QWEN_OAUTH_SCOPE, code_challenge: codeChallenge, code_challenge_method: 'S256' },
    signal,
  );
  const device = isRecord(authorization.json) ? authorization.json : {};
  if (authorization.status < 200 || authorization.status >= 300 || typeof device['device_code'] !== 'string') {
    const { error, description } = oauthErrorOf(authorization);
    throw loginFailed(`the device authorization request failed (HTTP ${authorization.status}: ${error}${description === '' ? '' : `: ${description}`})`);
  }
  const url = String(device['verification_uri_complete'] ?? device['verification_uri'] ?? '');
  const expiresInSeconds = deviceCodeLifetimeSeconds(device['expires_in']);
  options.prompt({ url, userCode: String(device['user_code'] ?? ''), expiresInSeconds });

  const expiresAt = now() + expiresInSeconds * 1000;
  let interval = options.pollIntervalMs ?? Number(device['interval'] ?? 2) * 1000;
  const maxInterval = options.maxPollIntervalMs ?? 10_000;
  for (;;) {
    if (now() >= expiresAt) throw loginFailed('the login was not approved before the device code expired');
    await wait(interval, signal);
    const answer = await postForm(
      options.http,
      qwenTokenUrl(options.oauthBaseUrl),
      { grant_type: QWEN_DEVICE_CODE_GRANT, client_id: QWEN_OAUTH_CLIENT_ID, device_code: device['device_code'], code_verifier: codeVerifier },
      signal,
    );
    const body = isRecord(answer.json) ? answer.json : {};
    if (answer.status >= 200 && answer.status < 300 && typeof body['access_token'] === 'string' && body['access_token'] !== '') {
      return qwenTokenUpdates(body, now());
    }
    const { error, description } = oauthErrorOf(answer);
    if (error === 'authorization_pending') continue;
    if (error === 'slow_down') {
      interval = Math.min(Math.round(interval * 1.5), maxInterval);
      continue;
    }
    throw loginFailed(`the token endpoint answered HTTP ${answer.status} (${error}${description === '' ? '' : `: ${description}`})`);
  }
}

function loginFailed(reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'QWEN_LOGIN_FAILED',
    message: `The Qwen login did not complete: ${reason}`,
    fix: 'Run `llm-proxy accounts add qwen` again and approve the login in the browser within the time shown',
    httpStatus: 400,
  });
}

function wait(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
