/**
 * @fileoverview Everything an SSO test needs, real and on 127.0.0.1: a test identity provider,
 * the proxy's SSO service (its SQLite store in a temporary directory) and an HTTP server
 * serving the `/auth` pages plus an endpoint that authenticates bearer tokens the way the
 * proxy does. The clock can be moved forward to expire tokens.
 */
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import express from 'express';

import type { ProxySettings, SsoProviderSettings } from '../../../src/config/proxy-settings.js';
import { createSsoService, type SsoService } from '../../../src/sso/sso-service.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';
import { startTestIdentityProvider, type TestIdentityProvider } from './test-identity-provider.js';

export const PROXY_CLIENT_ID = 'llm-proxy';
export const PROXY_CLIENT_SECRET = 'proxy-client-secret-for-tests-0123456789';
export const CLI_CLIENT_ID = 'llm-cli';
export const OTHER_CLIENT_ID = 'other-app';
/** Where the machine clients of the tests say they are redirected (never requested). */
export const CLIENT_REDIRECT_URI = 'http://127.0.0.1:9/client-callback';
export const SECRET_VARIABLE = 'TEST_SSO_CLIENT_SECRET';

export interface SsoTestSetup {
  idp: TestIdentityProvider;
  sso: SsoService;
  /** `http://127.0.0.1:<port>` of the proxy. */
  proxyBase: string;
  logger: RecordingLogger;
  databaseFile: string;
  /** Moves the proxy's clock forward. */
  advanceClock(milliseconds: number): void;
  close(): Promise<void>;
}

export function testProvider(issuer: string, overrides: Partial<SsoProviderSettings> = {}): SsoProviderSettings {
  return {
    id: 'test-idp',
    displayName: 'Test Identity Provider',
    issuer,
    clientId: PROXY_CLIENT_ID,
    clientSecret: { kind: 'env', variable: SECRET_VARIABLE },
    scopes: ['openid', 'email', 'profile', 'groups'],
    audiences: [PROXY_CLIENT_ID, CLI_CLIENT_ID, 'urn:llmproxy:api'],
    allowedUsers: { emailDomains: ['example.com'], emails: [], groups: ['llm-users'], groupsClaim: 'groups', requireVerifiedEmail: true, anyUser: false },
    ...overrides,
  };
}

export async function startSsoTestSetup(options: { tokenLifetimeDays?: number; provider?: Partial<SsoProviderSettings> } = {}): Promise<SsoTestSetup> {
  // The server listens first (the identity provider needs its URL); the app answers once built.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxyBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const idp = await startTestIdentityProvider({
    clients: [
      { clientId: PROXY_CLIENT_ID, clientSecret: PROXY_CLIENT_SECRET, redirectUris: [`${proxyBase}/auth/callback`] },
      { clientId: CLI_CLIENT_ID, redirectUris: [CLIENT_REDIRECT_URI] },
      { clientId: OTHER_CLIENT_ID, redirectUris: [CLIENT_REDIRECT_URI] },
    ],
  });
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-sso-'));
  const databaseFile = path.join(directory, 'var/sso.sqlite');
  let clockOffset = 0;
  const logger = createRecordingLogger();
  const settings = {
    accessMode: 'multi_user',
    sso: {
      enabled: true,
      providers: [testProvider(idp.issuer, options.provider)],
      publicUrl: undefined,
      tokenLifetimeDays: options.tokenLifetimeDays ?? 30,
      databaseFile,
    },
  } as unknown as ProxySettings;
  const sso = await createSsoService({
    settings,
    env: { [SECRET_VARIABLE]: PROXY_CLIENT_SECRET },
    cwd: directory,
    logger,
    now: () => Date.now() + clockOffset,
    jwksCooldownMs: 0,
  });

  const app = express();
  app.use('/auth', sso.router);
  // Stands in for the proxy's client authentication: the bearer token decides who the caller is.
  app.get('/whoami', async (request, response) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) {
      response.status(401).json({ error: 'missing' });
      return;
    }
    const verdict = await sso.authenticateBearer(token);
    if (verdict.kind === 'user') response.json({ user: verdict.user.id, email: verdict.user.email, credential: verdict.credential });
    else if (verdict.kind === 'refused') response.status(verdict.error.httpStatus).json({ code: verdict.error.code, message: verdict.error.message });
    else response.status(401).json({ code: 'not-recognized' });
  });
  server.on('request', app);

  return {
    idp,
    sso,
    proxyBase,
    logger,
    databaseFile,
    advanceClock: (milliseconds) => {
      clockOffset += milliseconds;
    },
    async close() {
      await sso.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await idp.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
