/**
 * @fileoverview Logging in with AWS Builder ID the way Kiro does: the OAuth device authorization
 * grant through AWS SSO OIDC. Register a public client, start a device authorization for the
 * Builder ID start URL, show the user the verification link and code, then create the token,
 * polling at the given `interval` and slowing down by 5 seconds on each `slow_down` (RFC 8628).
 * The result is a pool account record with the client registration it needs for refreshes.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import { deviceCodeLifetimeSeconds } from '../credentials/device-code-lifetime.js';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { tokenUpdates } from './refresh-kiro-token.js';
import { SsoOidcClient, type OidcAnswer } from './sso-oidc-client.js';

/** RFC 8628: without an interval, poll every 5 seconds; `slow_down` adds 5 seconds. */
const DEFAULT_INTERVAL_SECONDS = 5;
const SLOW_DOWN_INCREMENT_MS = 5_000;

export interface BuilderIdLoginOptions {
  http: UpstreamHttpClient;
  oidcUrl: string;
  startUrl: string;
  region: string;
  /** Shows the user where to approve the login, and how long the code stays valid (seconds). */
  prompt(verification: { url: string; userCode: string; expiresInSeconds: number }): void;
  /** Waits between polls; replaced in tests to record the waits instead of sleeping. */
  wait?(milliseconds: number, signal: AbortSignal): Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
}

export async function loginWithBuilderId(options: BuilderIdLoginOptions): Promise<CredentialsRecord> {
  const now = options.now ?? Date.now;
  const signal = options.signal ?? new AbortController().signal;
  const wait = options.wait ?? sleep;
  const oidc = new SsoOidcClient(options.http, options.oidcUrl);

  const registration = await oidc.registerClient('llmproxy-kiro', signal);
  const clientId = registration.body['clientId'];
  const clientSecret = registration.body['clientSecret'];
  if (!registration.ok || typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    throw loginFailed(`registering the OIDC client failed (${describe(registration)})`);
  }
  const authorization = await oidc.startDeviceAuthorization(clientId, clientSecret, options.startUrl, signal);
  const deviceCode = authorization.body['deviceCode'];
  if (!authorization.ok || typeof deviceCode !== 'string') {
    throw loginFailed(`starting the device authorization failed (${describe(authorization)})`);
  }
  const expiresInSeconds = deviceCodeLifetimeSeconds(authorization.body['expiresIn']);
  options.prompt({
    url: String(authorization.body['verificationUriComplete'] ?? authorization.body['verificationUri'] ?? ''),
    userCode: String(authorization.body['userCode'] ?? ''),
    expiresInSeconds,
  });

  const expiresAt = now() + expiresInSeconds * 1000;
  const givenInterval = Number(authorization.body['interval']);
  let interval = (Number.isFinite(givenInterval) && givenInterval > 0 ? givenInterval : DEFAULT_INTERVAL_SECONDS) * 1000;
  for (;;) {
    if (now() >= expiresAt) throw loginFailed('the login was not approved before the device code expired');
    await wait(interval, signal);
    const answer = await oidc.createTokenWithDeviceCode(clientId, clientSecret, deviceCode, signal);
    if (answer.ok && typeof answer.body['accessToken'] === 'string') {
      return {
        ...tokenUpdates(answer.body, now()),
        authMethod: 'IdC',
        provider: 'BuilderId',
        region: options.region,
        clientId,
        clientSecret,
        ...(typeof registration.body['clientSecretExpiresAt'] === 'number' ? { clientSecretExpiresAt: registration.body['clientSecretExpiresAt'] } : {}),
      };
    }
    if (answer.error === 'authorization_pending') continue;
    if (answer.error === 'slow_down') {
      interval += SLOW_DOWN_INCREMENT_MS;
      continue;
    }
    if (answer.error === 'expired_token') throw loginFailed('the device code expired before the login was approved');
    if (answer.error === 'access_denied') throw loginFailed('the login was denied in the browser');
    throw loginFailed(`creating the token failed (${describe(answer)})`);
  }
}

function describe(answer: OidcAnswer): string {
  return `HTTP ${answer.status}${answer.error === undefined ? '' : `: ${answer.error}`}${answer.description === '' ? '' : `: ${answer.description}`}`;
}

function loginFailed(reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'KIRO_LOGIN_FAILED',
    message: `The AWS Builder ID login did not complete: ${reason}`,
    fix: 'Run `llm-proxy accounts add kiro` again and approve the login in the browser within the time shown',
    httpStatus: 400,
  });
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
