import { describe, expect, it } from '@jest/globals';
import { exchange } from './support/http-exchange.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { echoConnector } from './support/test-connectors.js';
import { testSettings } from './support/test-settings.js';

describe('startProxy', () => {
  it('listens on the real port when port 0 is asked for and reports its URL', async () => {
    const proxy = await startTestProxy({ backends: [{ name: 'echo', definition: echoConnector() }] });
    try {
      expect(proxy.port).toBeGreaterThan(0);
      expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
      const response = await exchange(proxy.url, { path: '/internal/health' });
      expect(response.status).toBe(200);
      expect(response.headers['x-powered-by']).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it('brackets an IPv6 host in the URL', async () => {
    const proxy: TestProxy | Error = await startTestProxy({
      settings: testSettings({ host: '::1' }),
      backends: [{ name: 'echo', definition: echoConnector() }],
    }).catch((error: unknown) => error as Error);
    // Hosts without IPv6 loopback cannot bind ::1; the URL format is then not observable.
    if (proxy instanceof Error) {
      expect((proxy as Error & { code?: string }).code).toBe('SERVER_LISTEN_FAILED');
      return;
    }
    try {
      expect(proxy.url).toBe(`http://[::1]:${proxy.port}`);
      expect((await exchange(proxy.url, { path: '/internal/health' })).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('rejects with SERVER_LISTEN_FAILED when the port is taken', async () => {
    const first = await startTestProxy({ backends: [{ name: 'echo', definition: echoConnector() }] });
    try {
      const second = startTestProxy({
        settings: testSettings({ port: first.port }),
        backends: [{ name: 'echo', definition: echoConnector() }],
      });
      await expect(second).rejects.toMatchObject({
        code: 'SERVER_LISTEN_FAILED',
        message: expect.stringContaining(`Could not listen on 127.0.0.1:${first.port}: the port is already in use`),
      });
    } finally {
      await first.close();
    }
  });
});
