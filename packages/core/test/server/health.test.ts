import { afterEach, describe, expect, it } from '@jest/globals';
import { exchange } from './support/http-exchange.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { echoConnector } from './support/test-connectors.js';
import { testPluginReport } from './support/test-registry.js';
import { TEST_API_KEY, testSettings } from './support/test-settings.js';

const BACKEND_SECRET = 'sk-backend-secret-must-not-leak';

const report = (accessMode: 'single_user' | 'multi_user') =>
  testPluginReport({
    accessMode,
    connectors: [
      { id: 'echo-test', packageName: '@llmproxy/server-test-connectors', entry: './echo', hasStaticCredentials: true, status: 'loaded' },
      {
        id: 'gemini-oauth-auto',
        packageName: '@llmproxy/oauth-connectors',
        entry: './gemini-oauth-auto',
        hasStaticCredentials: false,
        status: 'skipped',
        code: 'OAUTH_CONNECTOR_NOT_ALLOWED',
        reason: 'OAuth connectors are not allowed in Multi User Mode',
      },
      {
        id: 'broken-test',
        packageName: 'llmproxy-connector-broken',
        entry: './broken',
        hasStaticCredentials: true,
        status: 'failed',
        code: 'CONNECTOR_IMPORT_FAILED',
        reason: 'importing ./broken threw',
      },
    ],
  });

describe('GET /internal/health', () => {
  let proxy: TestProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  async function start(accessMode: 'single_user' | 'multi_user'): Promise<TestProxy> {
    proxy = await startTestProxy({
      settings: testSettings({ accessMode, backends: { echo: { api_key: BACKEND_SECRET } } }),
      report: report(accessMode),
      backends: [{ name: 'echo', definition: echoConnector(), config: { api_key: BACKEND_SECRET } }],
    });
    return proxy;
  }

  it.each(['single_user', 'multi_user'] as const)('answers the basics without a key in %s mode', async (accessMode) => {
    const running = await start(accessMode);
    const response = await exchange(running.url, { path: '/internal/health' });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', version: '9.9.9-test', uptime_seconds: expect.any(Number), access_mode: accessMode });
  });

  it('adds loaded backends and skipped or failed connectors for a valid key, without secrets', async () => {
    const running = await start('multi_user');
    const response = await exchange(running.url, { path: '/internal/health', headers: { 'x-api-key': TEST_API_KEY } });
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body.access_mode).toBe('multi_user');
    expect(body.backends).toEqual([
      { name: 'echo', connector: 'echo-test', package: '@llmproxy/server-test-connectors', has_static_credentials: true },
    ]);
    expect(body.skipped_connectors).toEqual([
      expect.objectContaining({ id: 'gemini-oauth-auto', code: 'OAUTH_CONNECTOR_NOT_ALLOWED' }),
    ]);
    expect(body.failed_connectors).toEqual([expect.objectContaining({ id: 'broken-test', code: 'CONNECTOR_IMPORT_FAILED' })]);
    expect(response.text).not.toContain(BACKEND_SECRET);
    expect(response.text).not.toContain(TEST_API_KEY);
  });

  it('refuses a wrong key instead of quietly answering the basics', async () => {
    const running = await start('single_user');
    const response = await exchange(running.url, { path: '/internal/health', headers: { authorization: 'Bearer not-a-key' } });
    expect(response.status).toBe(401);
  });
});
