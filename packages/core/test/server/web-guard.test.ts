import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isLoopbackHost } from '../../src/server/loopback-host-guard.js';
import { exchange } from './support/http-exchange.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { echoConnector } from './support/test-connectors.js';
import { TEST_API_KEY, testSettings } from './support/test-settings.js';

const ALLOWED_ORIGIN = 'http://localhost:5173';

describe('isLoopbackHost', () => {
  it('accepts loopback names and addresses with or without a port', () => {
    for (const host of ['localhost', 'LOCALHOST:8000', '127.0.0.1', '127.0.0.1:65535', '[::1]', '[::1]:8000']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
  });
  it('refuses everything else', () => {
    for (const host of [undefined, '', 'evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', '::1', '[::2]:80', '0.0.0.0', 'localhost:80:80']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});

describe('Single User Mode web guard', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startTestProxy({
      settings: testSettings({ accessMode: 'single_user', server: { allowedOrigins: [ALLOWED_ORIGIN] } }),
      backends: [{ name: 'echo', definition: echoConnector() }],
    });
  });
  afterAll(async () => {
    await proxy.close();
  });

  const withKey = { authorization: `Bearer ${TEST_API_KEY}` };

  it('refuses a request whose Host is not loopback (DNS rebinding) with 403 naming the Host', async () => {
    const response = await exchange(proxy.url, { path: '/v1/models', headers: { ...withKey, host: 'rebind.attacker.example:8000' } });
    expect(response.status).toBe(403);
    const message: string = response.json().error.message;
    expect(message).toMatch(/^Request refused: in Single User Mode the proxy only answers requests addressed to localhost/);
    expect(message).toContain('Host: rebind.attacker.example:8000');
  });

  it('guards /internal/health too', async () => {
    const response = await exchange(proxy.url, { path: '/internal/health', headers: { host: 'rebind.attacker.example' } });
    expect(response.status).toBe(403);
  });

  it('answers loopback Host names', async () => {
    const port = new URL(proxy.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await exchange(proxy.url, { path: '/v1/models', headers: { ...withKey, host } })).status).toBe(200);
    }
  });

  it('refuses a browser Origin that is not allowed with 403 naming it and server.allowed_origins', async () => {
    const response = await exchange(proxy.url, { path: '/v1/models', headers: { ...withKey, origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
    const message: string = response.json().error.message;
    expect(message).toMatch(/^Request refused: the browser origin is not allowed/);
    expect(message).toContain('Origin: https://evil.example');
    expect(message).toContain('server.allowed_origins');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a simple cross-origin POST before it reaches a connector', async () => {
    const response = await exchange(proxy.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { ...withKey, origin: 'null', 'content-type': 'text/plain' },
      body: JSON.stringify({ model: 'echo:alpha', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(403);
  });

  it('answers an allowed origin with CORS headers for exactly that origin, preflight included', async () => {
    const preflight = await exchange(proxy.url, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization, content-type');
    expect(preflight.headers['vary']).toContain('Origin');

    const actual = await exchange(proxy.url, { path: '/v1/models', headers: { ...withKey, origin: ALLOWED_ORIGIN } });
    expect(actual.status).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(actual.headers['access-control-expose-headers']).toContain('x-llmproxy-overhead-ms');
    expect(actual.headers['access-control-expose-headers']).toContain('x-llmproxy-dropped-fields');
  });

  it('never answers with a wildcard CORS origin', async () => {
    const plain = await exchange(proxy.url, { path: '/v1/models', headers: withKey });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('Multi User Mode', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startTestProxy({
      settings: testSettings({ accessMode: 'multi_user' }),
      backends: [{ name: 'echo', definition: echoConnector() }],
    });
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('answers any Host name (it may serve a network name)', async () => {
    const response = await exchange(proxy.url, {
      path: '/v1/models',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, host: 'proxy.internal.example' },
    });
    expect(response.status).toBe(200);
  });

  it('still refuses browser origins that are not allowed', async () => {
    const response = await exchange(proxy.url, {
      path: '/v1/models',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
  });
});
