import { afterEach, describe, expect, it } from '@jest/globals';
import { chatBody, exchange } from './support/http-exchange.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { echoConnector } from './support/test-connectors.js';
import { SECOND_TEST_API_KEY, TEST_API_KEY, testSettings } from './support/test-settings.js';

const WRONG_KEY = 'wrong-key-should-never-be-echoed-42';

describe('client authentication', () => {
  let proxy: TestProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  async function start(options: Partial<Parameters<typeof startTestProxy>[0]> = {}): Promise<TestProxy> {
    proxy = await startTestProxy({ backends: [{ name: 'echo', definition: echoConnector() }], ...options });
    return proxy;
  }

  const models = (running: TestProxy, headers: Record<string, string>, path = '/v1/models') => exchange(running.url, { path, headers });

  it('accepts a key from Authorization: Bearer, x-api-key and x-goog-api-key', async () => {
    const running = await start();
    expect((await models(running, { authorization: `Bearer ${TEST_API_KEY}` })).status).toBe(200);
    expect((await models(running, { authorization: `bearer ${SECOND_TEST_API_KEY}` })).status).toBe(200);
    expect((await models(running, { 'x-api-key': TEST_API_KEY })).status).toBe(200);
    expect((await models(running, { 'x-goog-api-key': SECOND_TEST_API_KEY })).status).toBe(200);
    const chat = await exchange(running.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'x-api-key': TEST_API_KEY, 'content-type': 'application/json' },
      body: chatBody('echo:alpha'),
    });
    expect(chat.status).toBe(200);
  });

  it('accepts the key query parameter on Gemini routes only', async () => {
    const running = await start();
    const gemini = await models(running, {}, `/v1beta/models?key=${TEST_API_KEY}`);
    // Authenticated, so it reaches the Gemini model list.
    expect(gemini.status).toBe(200);
    expect(Array.isArray(gemini.json().models)).toBe(true);
    const openai = await models(running, {}, `/v1/models?key=${TEST_API_KEY}`);
    expect(openai.status).toBe(401);
  });

  it('refuses a missing key with 401 saying the key is missing', async () => {
    const running = await start();
    const response = await models(running, {});
    expect(response.status).toBe(401);
    const body = response.json();
    expect(body.error.message).toMatch(/^Missing API key/);
    expect(body.error.message).toContain('Authorization: Bearer <key>');
    expect((await models(running, { authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
  });

  it('refuses a wrong key with 401 saying it is invalid, without echoing it anywhere', async () => {
    const running = await start();
    const response = await models(running, { 'x-api-key': WRONG_KEY });
    expect(response.status).toBe(401);
    expect(response.json().error.message).toMatch(/^Invalid API key: the key sent in the x-api-key header/);
    expect(response.text).not.toContain(WRONG_KEY);
    // A prefix or extension of a real key is not a key.
    expect((await models(running, { authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}` })).status).toBe(401);
    expect((await models(running, { authorization: `Bearer ${TEST_API_KEY}x` })).status).toBe(401);
    const logs = JSON.stringify(running.logger.entries);
    expect(logs).toContain('Client authentication failed');
    expect(logs).not.toContain(WRONG_KEY);
    expect(logs).not.toContain(TEST_API_KEY);
  });

  it('answers 401 in the calling API family error format', async () => {
    const running = await start();
    const anthropic = await exchange(running.url, { method: 'POST', path: '/v1/messages', body: '{}' });
    expect(anthropic.status).toBe(401);
    expect(anthropic.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: expect.stringMatching(/^Missing API key/) } });
    const gemini = await exchange(running.url, { path: '/v1beta/models', headers: { 'x-goog-api-key': WRONG_KEY } });
    expect(gemini.status).toBe(401);
    expect(gemini.json()).toEqual({ error: { code: 401, status: 'UNAUTHENTICATED', message: expect.stringMatching(/^Invalid API key/) } });
    const openai = await models(running, {});
    expect(openai.json().error).toEqual(expect.objectContaining({ message: expect.any(String), type: expect.any(String) }));
  });

  it('slows down repeated failures from one address with 429 and Retry-After, never the valid key', async () => {
    const running = await start({ failedAttemptLimit: 3, failedAttemptWindowMs: 60_000 });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await models(running, { 'x-api-key': `${WRONG_KEY}-${attempt}` })).status).toBe(401);
    }
    const limited = await models(running, { 'x-api-key': WRONG_KEY });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.message).toMatch(/^Too many failed authentication attempts/);
    // The owner on the same address is never locked out by someone else's guesses.
    const valid = await models(running, { authorization: `Bearer ${TEST_API_KEY}` });
    expect(valid.status).toBe(200);
    const warning = running.logger.entries.find((entry) => entry.message.startsWith('Too many failed authentication attempts'));
    expect(warning?.meta['client']).toEqual(expect.stringContaining('127.0.0.1'));
    expect(JSON.stringify(running.logger.entries)).not.toContain(WRONG_KEY);
  });

  it('does not count successful requests, even many concurrent ones', async () => {
    const running = await start({ failedAttemptLimit: 2 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => models(running, { authorization: `Bearer ${TEST_API_KEY}` })),
    );
    expect(results.map((result) => result.status)).toEqual(Array(12).fill(200));
    expect((await models(running, { 'x-api-key': WRONG_KEY })).status).toBe(401);
    expect((await models(running, { 'x-api-key': WRONG_KEY })).status).toBe(401);
    expect((await models(running, { 'x-api-key': WRONG_KEY })).status).toBe(429);
  });

  it('lets every request through when authentication is disabled', async () => {
    const running = await start({ settings: testSettings({ auth: { disabled: true, apiKeys: [] } }) });
    expect((await models(running, {})).status).toBe(200);
  });

  it('fails closed when authentication is on and no key is configured', async () => {
    const running = await start({ settings: testSettings({ auth: { disabled: false, apiKeys: [] } }) });
    expect((await models(running, {})).status).toBe(401);
    expect((await models(running, { authorization: 'Bearer ' })).status).toBe(401);
  });
});
