import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, chatBody, exchange } from './support/http-exchange.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { echoConnector } from './support/test-connectors.js';
import { TEST_API_KEY, testSettings } from './support/test-settings.js';

const BODY_LIMIT_BYTES = 16 * 1024;

describe('bad request input', () => {
  let proxy: TestProxy;

  beforeAll(async () => {
    proxy = await startTestProxy({
      settings: testSettings({ server: { bodyLimitBytes: BODY_LIMIT_BYTES } }),
      backends: [{ name: 'echo', definition: echoConnector() }],
    });
  });
  afterAll(async () => {
    await proxy.close();
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    exchange(proxy.url, { method: 'POST', path: '/v1/chat/completions', headers: { ...bearer(TEST_API_KEY), ...headers }, body });

  async function expectStillServing(): Promise<void> {
    const response = await post(chatBody('echo:alpha'));
    expect(response.status).toBe(200);
  }

  it('answers malformed JSON with 400 in OpenAI format and keeps serving', async () => {
    const response = await post('{"model": "echo:alpha", "messages": [');
    expect(response.status).toBe(400);
    const body = response.json();
    expect(body.error.message).toMatch(/^The request body is not valid JSON/);
    expect(body.error.code).toBe('INVALID_JSON');
    await expectStillServing();
  });

  it('answers a request without messages with 400 from the parser', async () => {
    const response = await post(JSON.stringify({ model: 'echo:alpha' }));
    expect(response.status).toBe(400);
    expect(response.json().error.message).toMatch(/messages/);
    await expectStillServing();
  });

  it('answers an oversized body with 413 and keeps serving', async () => {
    const response = await post(chatBody('echo:alpha', { padding: 'x'.repeat(BODY_LIMIT_BYTES) }));
    expect(response.status).toBe(413);
    expect(response.json().error.code).toBe('REQUEST_BODY_TOO_LARGE');
    expect(response.json().error.message).toContain(`${BODY_LIMIT_BYTES} bytes`);
    await expectStillServing();
  });

  it('counts the limit after decompression: a small gzip body that inflates past it gets 413', async () => {
    const inflated = chatBody('echo:alpha', { padding: 'x'.repeat(BODY_LIMIT_BYTES * 8) });
    const compressed = gzipSync(inflated);
    expect(compressed.length).toBeLessThan(BODY_LIMIT_BYTES);
    const response = await post(compressed, { 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(response.json().error.code).toBe('REQUEST_BODY_TOO_LARGE');
    await expectStillServing();
  });

  it('accepts a gzip body whose inflated size is within the limit', async () => {
    const response = await post(gzipSync(chatBody('echo:alpha')), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(response.json().choices[0].message.content).toBe('echo alpha: hello there');
  });

  it('answers an unsupported content-encoding with 415', async () => {
    const response = await post(chatBody('echo:alpha'), { 'content-encoding': 'compress' });
    expect(response.status).toBe(415);
    expect(response.json().error.code).toBe('UNSUPPORTED_CONTENT_ENCODING');
    await expectStillServing();
  });

  it('parses a JSON body sent without a JSON content type (curl -d)', async () => {
    const response = await post(chatBody('echo:alpha'), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
  });
});
