import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, chatBody, exchange } from './support/http-exchange.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { channelConnector, echoConnector, failingConnector, type ChatCall } from './support/test-connectors.js';
import { TEST_API_KEY, testSettings } from './support/test-settings.js';

describe('POST /v1/chat/completions and GET /v1/models', () => {
  const calls: ChatCall[] = [];
  const channel = channelConnector();
  let proxy: TestProxy;

  beforeAll(async () => {
    proxy = await startTestProxy({
      settings: testSettings({ defaultBackend: 'echo' }),
      backends: [
        { name: 'echo', definition: echoConnector(calls) },
        { name: 'local', definition: echoConnector(calls) },
        { name: 'failing', definition: failingConnector() },
        { name: 'live', definition: channel.definition },
      ],
    });
  });
  afterAll(async () => {
    await proxy.close();
  });

  const chat = (model: string, extra: Record<string, unknown> = {}) =>
    exchange(proxy.url, { method: 'POST', path: '/v1/chat/completions', headers: bearer(TEST_API_KEY), body: chatBody(model, extra) });

  it('routes backend:model to that backend with the rest as the model', async () => {
    const response = await chat('local:llama3:8b');
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.content).toBe('echo llama3:8b: hello there');
    expect(calls.at(-1)?.request.model).toBe('llama3:8b');
  });

  it('routes a model without a backend prefix to the default backend', async () => {
    const response = await chat('gpt-4o');
    expect(response.status).toBe(200);
    expect(response.json().choices[0].message.content).toBe('echo gpt-4o: hello there');
  });

  it('answers an unknown backend prefix with 404 Backend not found in OpenAI format', async () => {
    const response = await chat('nowhere:some-model');
    expect(response.status).toBe(404);
    const body = response.json();
    expect(body.error.message).toMatch(/^Backend not found/);
    expect(body.error.message).toContain('echo');
    expect(body.error).toHaveProperty('type');
    expect(body.error).toHaveProperty('code');
  });

  it('collects a streamed answer when the client did not ask for a stream', async () => {
    const pending = chat('live:live-model');
    const { channel: stream, request } = await channel.nextStream();
    expect(request.stream).toBe(false);
    stream.push(
      { type: 'response-start', id: 'c1', model: 'live-model', created: 1_700_000_000 },
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', finishReason: 'stop' },
    );
    stream.end();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.json().choices[0].message.content).toBe('Hello');
    expect(response.json().choices[0].finish_reason).toBe('stop');
  });

  it('streams an answer given in one piece when the client asked for a stream', async () => {
    const response = await chat('echo:alpha', { stream: true });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.text).toContain('echo alpha: hello there');
    expect(response.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('passes an upstream error through with its status, message and retry-after', async () => {
    const response = await chat('failing:rate-limited');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.json().error.message).toContain('Rate limit reached for requests');
  });

  it('logs a 4xx it answers itself at info with its code, the field by name and the request id, never the value', async () => {
    const response = await chat('echo:alpha', { temperature: 'very-secret-temperature' });
    expect(response.status).toBe(400);
    const refused = proxy.logger.entries.filter((entry) => entry.message === 'Request refused').at(-1);
    expect(refused?.level).toBe('info');
    expect(refused?.meta).toEqual(
      expect.objectContaining({ code: 'CHAT_REQUEST_INVALID', status: 400, fields: ['temperature'], requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
    );
    const requestLine = proxy.logger.entries.filter((entry) => entry.message === 'HTTP request').at(-1);
    expect(requestLine?.meta['requestId']).toBe(refused?.meta['requestId']);
    expect(JSON.stringify(proxy.logger.entries)).not.toContain('very-secret-temperature');
    // An upstream's own 4xx is the upstream's verdict, not repeated as a refusal.
    const before = proxy.logger.entries.filter((entry) => entry.message === 'Request refused').length;
    await chat('failing:rate-limited');
    expect(proxy.logger.entries.filter((entry) => entry.message === 'Request refused')).toHaveLength(before);
    // Refusals before any route (authentication, unknown paths) are logged the same way.
    const unauthenticated = await exchange(proxy.url, { method: 'POST', path: '/v1/chat/completions', headers: {}, body: chatBody('echo:alpha') });
    expect(unauthenticated.status).toBe(401);
    const notFound = await exchange(proxy.url, { method: 'GET', path: '/v1/nowhere', headers: bearer(TEST_API_KEY) });
    expect(notFound.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const codes = proxy.logger.entries.filter((entry) => entry.message === 'Request refused').slice(before).map((entry) => entry.meta['code']);
    expect(codes).toEqual([expect.stringMatching(/^AUTH_/), 'ROUTE_NOT_FOUND']);
  });

  it('answers an unexpected error with a generic 500 and logs it with its stack', async () => {
    const response = await chat('failing:crash');
    expect(response.status).toBe(500);
    expect(response.text).not.toContain('hunter2');
    expect(response.json().error.message).toMatch(/^Internal server error/);
    const logged = proxy.logger.entries.find((entry) => entry.level === 'error');
    expect(logged?.meta['stack']).toEqual(expect.stringContaining('internal detail'));
  });

  it('sets x-llmproxy-overhead-ms with three decimals, the upstream wait subtracted', async () => {
    const plain = await chat('echo:alpha');
    expect(plain.headers['x-llmproxy-overhead-ms']).toMatch(/^\d+\.\d{3}$/);
    // The connector reports a far longer upstream wait than the whole request took.
    const waited = await chat('failing:upstream-wait');
    expect(waited.status).toBe(200);
    expect(waited.headers['x-llmproxy-overhead-ms']).toBe('0.000');
    const streamed = await chat('echo:alpha', { stream: true });
    expect(streamed.headers['x-llmproxy-overhead-ms']).toMatch(/^\d+\.\d{3}$/);
  });

  it('lists backend:model ids from every backend, leaving out one that fails', async () => {
    const response = await exchange(proxy.url, { path: '/v1/models', headers: bearer(TEST_API_KEY) });
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body.object).toBe('list');
    const ids = body.data.map((model: { id: string }) => model.id);
    expect(ids).toEqual(['echo:alpha', 'echo:beta', 'local:alpha', 'local:beta', 'live:live']);
    expect(body.data[1]).toEqual({ id: 'echo:beta', object: 'model', created: 0, owned_by: 'echo-team' });
    expect(response.headers['x-llmproxy-overhead-ms']).toMatch(/^\d+\.\d{3}$/);
    const warning = proxy.logger.entries.find((entry) => entry.message.startsWith('Could not list the models'));
    expect(warning?.meta['backend']).toBe('failing');
  });

  it('answers unknown routes with 404 in the route family error format', async () => {
    const openai = await exchange(proxy.url, { path: '/v1/nothing-here', headers: bearer(TEST_API_KEY) });
    expect(openai.status).toBe(404);
    expect(openai.json().error.message).toMatch(/^Route not found: GET \/v1\/nothing-here\. The proxy serves POST \/v1\/chat\/completions, /);
    const anthropic = await exchange(proxy.url, { method: 'POST', path: '/anthropic/v1/nothing-here', headers: bearer(TEST_API_KEY), body: '{}' });
    expect(anthropic.status).toBe(404);
    expect(anthropic.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('Route not found') } });
    const gemini = await exchange(proxy.url, { path: '/v1beta/nothing-here', headers: { 'x-goog-api-key': TEST_API_KEY } });
    expect(gemini.status).toBe(404);
    expect(gemini.json()).toEqual({ error: { code: 404, status: 'NOT_FOUND', message: expect.stringContaining('Route not found') } });
  });

  it('logs each request with its id, method, path, status, duration, backend and token usage, never headers or bodies', async () => {
    await chat('echo:alpha');
    const entry = proxy.logger.entries.filter((logged) => logged.message === 'HTTP request').at(-1);
    expect(entry?.meta).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      durationMs: expect.any(Number),
      backend: 'echo',
      user: 'api-key#1',
      inputTokens: 3,
      outputTokens: 4,
    });
    expect(JSON.stringify(proxy.logger.entries)).not.toContain(TEST_API_KEY);
    expect(JSON.stringify(proxy.logger.entries)).not.toContain('hello there');
  });
});
