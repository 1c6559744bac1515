/**
 * @fileoverview Logging a Google account in the way the Gemini CLI does: the installed-app
 * loopback flow. A one-shot HTTP server listens on 127.0.0.1 (an ephemeral port), the user opens
 * Google's consent page in a browser, and Google redirects back to
 * `http://127.0.0.1:<port>/oauth2callback` with a code, which is exchanged for tokens with the
 * Gemini CLI's client id and secret. The `state` parameter is checked, and PKCE (S256) binds the
 * code to this login.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { newPkceLogin, startLoopbackCallback } from '../credentials/loopback-authorization-callback.js';
import { oauthErrorOf, postForm } from '../credentials/post-form.js';
import { GEMINI_CLI_CLIENT_ID, GEMINI_CLI_CLIENT_SECRET, GEMINI_CLI_SCOPES } from './google-oauth.js';

const CALLBACK_PATH = '/oauth2callback';
/** How long the user has to finish in the browser, as in the Gemini CLI. */
const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface GoogleBrowserLoginOptions {
  http: UpstreamHttpClient;
  authorizationUrl: string;
  tokenUrl: string;
  /** Shows the user the consent page URL (and may open a browser). */
  prompt(url: string): void;
  timeoutMs?: number;
  now?: () => number;
}

export interface GoogleLogin {
  record: CredentialsRecord;
  /** The account's email from the ID token, when Google sent one. */
  email: string | undefined;
}

export async function loginWithGoogleInBrowser(options: GoogleBrowserLoginOptions): Promise<GoogleLogin> {
  const now = options.now ?? Date.now;
  const { state, codeVerifier, codeChallenge } = newPkceLogin();
  const callback = await startLoopbackCallback({
    port: 0,
    callbackPath: CALLBACK_PATH,
    redirectHost: '127.0.0.1',
    expectedState: state,
    providerName: 'Google',
    timeoutMs: options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
    loginFailed,
  });
  const redirectUri = callback.redirectUri;

  try {
    const consent = new URL(options.authorizationUrl);
    consent.search = new URLSearchParams({
      client_id: GEMINI_CLI_CLIENT_ID,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: GEMINI_CLI_SCOPES.join(' '),
      access_type: 'offline',
      prompt: 'consent',
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    options.prompt(consent.toString());
    const code = await callback.code;

    const answer = await postForm(options.http, options.tokenUrl, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: GEMINI_CLI_CLIENT_ID,
      client_secret: GEMINI_CLI_CLIENT_SECRET,
      code_verifier: codeVerifier,
    });
    const body = isRecord(answer.json) ? answer.json : {};
    if (answer.status < 200 || answer.status >= 300 || typeof body['access_token'] !== 'string' || typeof body['refresh_token'] !== 'string') {
      const { error, description } = oauthErrorOf(answer);
      throw loginFailed(`the code exchange failed (HTTP ${answer.status}: ${error}${description === '' ? '' : `: ${description}`})`);
    }
    const expiresIn = Number(body['expires_in'] ?? 3600);
    const record: CredentialsRecord = {
      access_token: body['access_token'],
      refresh_token: body['refresh_token'],
      token_type: typeof body['token_type'] === 'string' ? body['token_type'] : 'Bearer',
      expiry_date: now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
    };
    if (typeof body['scope'] === 'string') record['scope'] = body['scope'];
    if (typeof body['id_token'] === 'string') record['id_token'] = body['id_token'];
    return { record, email: emailOf(body['id_token']) };
  } finally {
    await callback.close();
  }
}

/** The `email` claim of an ID token (not verified: it only names the account file). */
function emailOf(idToken: unknown): string | undefined {
  if (typeof idToken !== 'string') return undefined;
  const payload = idToken.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { email?: unknown };
    return typeof claims.email === 'string' ? claims.email : undefined;
  } catch {
    return undefined;
  }
}

function loginFailed(reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'GEMINI_LOGIN_FAILED',
    message: `The Google login did not complete: ${reason}`,
    fix: 'Run `llm-proxy accounts add gemini` again and finish the login in the browser',
    httpStatus: 400,
  });
}
