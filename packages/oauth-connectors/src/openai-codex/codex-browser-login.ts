/**
 * @fileoverview Logging a ChatGPT account in the way the Codex CLI does: OAuth authorization
 * code with PKCE (S256) and a loopback callback. A one-shot HTTP server listens on 127.0.0.1
 * (port 1455, the redirect OpenAI registered for the Codex CLI's client), the user opens OpenAI's
 * login page, and OpenAI redirects to `http://localhost:<port>/auth/callback` with a code, which
 * is exchanged for tokens. `state` is checked. The result is a login in auth.json's shape.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { newPkceLogin, startLoopbackCallback } from '../credentials/loopback-authorization-callback.js';
import { oauthErrorOf, postForm } from '../credentials/post-form.js';
import { jsonObjectOf } from '../credentials/post-json.js';
import { codexAccountId, codexEmail } from './codex-auth-file.js';
import { CODEX_CLIENT_ID } from './codex-oauth.js';
import { CODEX_ORIGINATOR } from './codex-responses-request.js';

const CALLBACK_PATH = '/auth/callback';
/** The scope the Codex CLI asks for at login (`offline_access` brings the refresh token). */
export const CODEX_LOGIN_SCOPE = 'openid profile email offline_access';
const DEFAULT_LOGIN_TIMEOUT_MS = 10 * 60 * 1000;

export interface CodexBrowserLoginOptions {
  http: UpstreamHttpClient;
  /** OpenAI's OAuth server, e.g. https://auth.openai.com. */
  issuer: string;
  tokenUrl: string;
  /** The loopback port (1455 as the Codex CLI; 0 picks a free one, for servers that accept any). */
  callbackPort: number;
  /** Shows the user the login URL (and may open a browser). */
  prompt(url: string): void;
  timeoutMs?: number;
  now?: () => number;
}

export interface CodexLogin {
  /** auth.json's shape: `OPENAI_API_KEY`, `tokens`, `last_refresh`. */
  record: CredentialsRecord;
  email: string | undefined;
}

export async function loginWithChatGptInBrowser(options: CodexBrowserLoginOptions): Promise<CodexLogin> {
  const now = options.now ?? Date.now;
  const { state, codeVerifier, codeChallenge } = newPkceLogin();
  const callback = await startLoopbackCallback({
    port: options.callbackPort,
    callbackPath: CALLBACK_PATH,
    redirectHost: 'localhost',
    expectedState: state,
    providerName: 'OpenAI',
    timeoutMs: options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
    loginFailed,
    portInUseHint: 'is a Codex CLI login running?',
  });
  const redirectUri = callback.redirectUri;

  try {
    const authorize = new URL(`${options.issuer}/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: CODEX_CLIENT_ID,
      redirect_uri: redirectUri,
      scope: CODEX_LOGIN_SCOPE,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      state,
      originator: CODEX_ORIGINATOR,
    }).toString();
    options.prompt(authorize.toString());
    const code = await callback.code;

    const answer = await postForm(options.http, options.tokenUrl, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: CODEX_CLIENT_ID,
      code_verifier: codeVerifier,
    });
    const body = jsonObjectOf(answer);
    if (answer.status < 200 || answer.status >= 300 || typeof body['access_token'] !== 'string' || typeof body['refresh_token'] !== 'string') {
      const { error, description } = oauthErrorOf(answer);
      throw loginFailed(`the code exchange failed (HTTP ${answer.status}: ${error}${description === '' ? '' : `: ${description}`})`);
    }
    const tokens: Record<string, unknown> = {
      id_token: typeof body['id_token'] === 'string' ? body['id_token'] : '',
      access_token: body['access_token'],
      refresh_token: body['refresh_token'],
      account_id: null,
    };
    const record: CredentialsRecord = { OPENAI_API_KEY: null, tokens, last_refresh: new Date(now()).toISOString() };
    tokens['account_id'] = codexAccountId(record) ?? null;
    return { record, email: codexEmail(record) };
  } finally {
    await callback.close();
  }
}

function loginFailed(reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CODEX_LOGIN_FAILED',
    message: `The ChatGPT login did not complete: ${reason}`,
    fix: 'Run `llm-proxy accounts add codex` again and finish the login in the browser',
    httpStatus: 400,
  });
}
