/**
 * @fileoverview The failed-attempt limiter through the real `llm-proxy` CLI: wrong keys from one
 * address are slowed with 429, but the owner's valid key is never refused, requests with no key
 * (what a cross-site `<img>` sends) are plain 401s that do not count, and X-Forwarded-For names
 * the client only when the peer is a configured trusted proxy.
 */
import { request } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'owner-key-for-limiter-tests-0123456789';
/** The proxy's default: 10 failures per address within 60 s, then 429. */
const LIMIT = 10;

function get(proxy: RunningCli, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${proxy.url}${path}`, { headers, agent: false }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

const wrongKey = (attempt: number): Record<string, string> => ({ authorization: `Bearer wrong-key-${attempt}` });
const ownerKey = { authorization: `Bearer ${CLIENT_KEY}` };

describe('failed-attempt limiter through the CLI', () => {
  let proxy: RunningCli | undefined;

  beforeAll(() => assertCliBuilt());
  afterEach(async () => {
    const stopped = await proxy?.stop('SIGTERM');
    proxy = undefined;
    cleanUpCliRuns();
    expect(stopped?.exitCode).toBe(0);
  });

  const start = async (extraArgs: string[] = []): Promise<RunningCli> => {
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications', ...extraArgs]);
    return proxy;
  };

  it('never refuses the valid key, even after the address was locked out by wrong keys', async () => {
    const running = await start();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) expect((await get(running, '/v1/models', wrongKey(attempt))).status).toBe(401);
    const locked = await get(running, '/v1/models', wrongKey(99));
    expect(locked.status).toBe(429);
    expect(JSON.parse(locked.body).error.message).toMatch(/^Too many failed authentication attempts/);
    // The owner, on the same address, is served while the guesses stay refused.
    expect((await get(running, '/v1/models', ownerKey)).status).toBe(200);
    expect((await get(running, '/v1beta/models', { 'x-goog-api-key': CLIENT_KEY })).status).toBe(200);
    expect((await get(running, '/v1/models', wrongKey(100))).status).toBe(429);
  });

  it('answers requests without a key with a plain 401 that never counts towards lockout', async () => {
    const running = await start();
    // What a web page's <img src="http://127.0.0.1:port/v1/models"> sends: no key, no Origin.
    for (let attempt = 0; attempt < 3 * LIMIT; attempt += 1) {
      const keyless = await get(running, '/v1/models');
      expect(keyless.status).toBe(401);
      expect(JSON.parse(keyless.body).error.message).toMatch(/^Missing API key/);
    }
    expect((await get(running, '/v1/models', ownerKey)).status).toBe(200);
    // The keyless requests left the whole budget for wrong keys: the first one is still a 401.
    expect((await get(running, '/v1/models', wrongKey(0))).status).toBe(401);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const running = await start();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      const spoofed = { ...wrongKey(attempt), 'x-forwarded-for': `198.51.100.${attempt + 1}` };
      expect((await get(running, '/v1/models', spoofed)).status).toBe(401);
    }
    // Every attempt counted against 127.0.0.1, whatever address the header claimed.
    expect((await get(running, '/v1/models', { ...wrongKey(99), 'x-forwarded-for': '198.51.100.200' })).status).toBe(429);
    expect(running.output.stderr).not.toContain('ERR_ERL');
  });

  it('with 127.0.0.1 trusted, counts per right-most untrusted X-Forwarded-For address', async () => {
    const running = await start(['--trust-proxy', '127.0.0.1,10.0.0.0/8']);
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      // The left entry is whatever the client claimed; 10.1.2.3 is a trusted inner proxy.
      const forwarded = { ...wrongKey(attempt), 'x-forwarded-for': `192.0.2.${attempt + 1}, 203.0.113.7, 10.1.2.3` };
      expect((await get(running, '/v1/models', forwarded)).status).toBe(401);
    }
    expect((await get(running, '/v1/models', { ...wrongKey(99), 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    // Another client behind the same proxy is not locked out by 203.0.113.7's failures.
    expect((await get(running, '/v1/models', { ...wrongKey(99), 'x-forwarded-for': '203.0.113.8' })).status).toBe(401);
    // Nor is the owner behind the locked-out address.
    expect((await get(running, '/v1/models', { ...ownerKey, 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect(running.output.stderr).toContain('"client":"203.0.113.7"');
  });
});
