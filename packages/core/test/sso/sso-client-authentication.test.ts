/**
 * @fileoverview SSO credentials at the proxy's client authentication, in the real server
 * (startProxy with the SSO service): personal proxy tokens and static keys side by side, every
 * header style, refusals in the client's error format counted by the failed-attempt limiter,
 * requests logged by user id, and the `/auth` pages reachable without an API key.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { ProxySettings } from '../../src/config/proxy-settings.js';
import { startProxy, type RunningProxy } from '../../src/server/start-proxy.js';
import { createSsoService, type SsoService } from '../../src/sso/sso-service.js';
import { findFreePort } from '../support/run-llm-proxy.js';
import { createRecordingLogger, type RecordingLogger } from '../support/recording-logger.js';
import { echoConnector } from '../server/support/test-connectors.js';
import { createTestRegistry, testPluginReport } from '../server/support/test-registry.js';
import { TEST_API_KEY, testSettings } from '../server/support/test-settings.js';
import { HttpBrowser, inputValue } from './support/http-browser.js';
import { signIn } from './support/sign-in.js';
import { PROXY_CLIENT_ID, PROXY_CLIENT_SECRET, SECRET_VARIABLE, testProvider } from './support/sso-test-setup.js';
import { startTestIdentityProvider, type TestIdentityProvider } from './support/test-identity-provider.js';

describe('client authentication with SSO', () => {
  let idp: TestIdentityProvider;
  let sso: SsoService;
  let proxy: RunningProxy;
  let logger: RecordingLogger;
  let directory: string;
  let token: string;
  let tokenId: string;

  beforeAll(async () => {
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    idp = await startTestIdentityProvider({ clients: [{ clientId: PROXY_CLIENT_ID, clientSecret: PROXY_CLIENT_SECRET, redirectUris: [`${base}/auth/callback`] }] });
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-sso-auth-'));
    const ssoSettings: ProxySettings['sso'] = {
      enabled: true,
      providers: [testProvider(idp.issuer)],
      publicUrl: undefined,
      tokenLifetimeDays: 30,
      databaseFile: path.join(directory, 'sso.sqlite'),
    };
    const settings = testSettings({ port, accessMode: 'multi_user', sso: ssoSettings, auth: { apiKeys: [TEST_API_KEY] } });
    logger = createRecordingLogger();
    sso = await createSsoService({ settings: settings.values, env: { [SECRET_VARIABLE]: PROXY_CLIENT_SECRET }, cwd: directory, logger });
    const report = testPluginReport({ accessMode: 'multi_user' });
    proxy = await startProxy({
      settings,
      logger,
      registry: await createTestRegistry([{ name: 'echo', definition: echoConnector() }], report),
      report,
      version: '9.9.9-test',
      sso,
      failedAttemptLimit: 3,
    });
    const page = await signIn(new HttpBrowser(), { proxyBase: base, providerId: 'test-idp', login: 'alice' });
    token = inputValue(page, 'proxy-token')!;
    tokenId = /Its id is <code>([^<]+)<\/code>/.exec(page.body)![1]!;
  }, 30_000);

  afterAll(async () => {
    await proxy?.close();
    await sso?.close();
    await idp?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const chat = (headers: Record<string, string>) =>
    fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'echo:alpha', messages: [{ role: 'user', content: 'hello' }] }),
    });

  it('serves a signed-in user’s token from any key header and logs the request by user id', async () => {
    for (const headers of [{ authorization: `Bearer ${token}` }, { 'x-api-key': token }] as Record<string, string>[]) {
      const response = await chat(headers);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('echo alpha: hello');
    }
    const logged = logger.entries.filter((entry) => entry.message === 'HTTP request' && entry.meta['path'] === '/v1/chat/completions');
    expect(logged.at(-1)?.meta).toMatchObject({ status: 200, user: 'test-idp:alice' });
    expect(logger.text()).not.toContain(token);
  });

  it('keeps static API keys working, attributed to their position', async () => {
    expect((await chat({ authorization: `Bearer ${TEST_API_KEY}` })).status).toBe(200);
    const logged = logger.entries.filter((entry) => entry.message === 'HTTP request').at(-1);
    expect(logged?.meta).toMatchObject({ user: 'api-key#1' });
    expect(logger.text()).not.toContain(TEST_API_KEY);
  });

  it('shows SSO in the health endpoint and serves the sign-in pages without a key, before the origin policy', async () => {
    expect(await (await fetch(`${proxy.url}/internal/health`)).json()).toMatchObject({ sso: 'enabled', access_mode: 'multi_user' });
    const login = await fetch(`${proxy.url}/auth/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Sign in with Test Identity Provider');
    const foreign = await fetch(`${proxy.url}/auth/logout`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(401);
    expect(foreign.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('refuses unknown keys with a hint to sign in, and revoked tokens in the client’s error format, counting each as a failure', async () => {
    const unknown = await chat({ authorization: 'Bearer no-such-key' });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('or a personal token from /auth/login');

    expect(await sso.store.revokeToken(tokenId, Date.now())).toBe(true);
    const revoked = await chat({ authorization: `Bearer ${token}` });
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { message: string } }).error.message).toContain(`SSO token ${tokenId} has been revoked`);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ message: 'Client authentication failed', meta: expect.objectContaining({ reason: 'refused', code: 'SSO_TOKEN_REVOKED' }) }),
    );

    await chat({ authorization: `Bearer ${token}` });
    const limited = await chat({ authorization: `Bearer ${token}` });
    expect(limited.status).toBe(429);
    expect(logger.text()).not.toContain(token);
  });
});
