import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpstreamError } from '@llmproxy/connector-sdk';
import { bearer, chatBody, exchange, openResponse, readUntil } from './support/http-exchange.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { channelConnector, failingConnector, floodConnector } from './support/test-connectors.js';
import { TEST_API_KEY } from './support/test-settings.js';

const FLOOD_EVENTS = 2_000;
const FLOOD_EVENT_SIZE = 64 * 1024;

/** Resolves once `read()` has returned the same value for `quietMs`. */
async function settled(read: () => number, quietMs = 300): Promise<number> {
  let last = read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = read();
    if (now === last) return now;
    last = now;
  }
}

describe('streamed chat completions', () => {
  const channel = channelConnector();
  const flood = { pulled: 0 } as { pulled: number; signal?: AbortSignal };
  let proxy: TestProxy;

  beforeAll(async () => {
    proxy = await startTestProxy({
      backends: [
        { name: 'live', definition: channel.definition },
        { name: 'flood', definition: floodConnector(flood, FLOOD_EVENTS, FLOOD_EVENT_SIZE) },
        { name: 'failing', definition: failingConnector() },
      ],
    });
  });
  afterAll(async () => {
    await proxy.close();
  });

  const openStream = (model: string) =>
    openResponse(proxy.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: bearer(TEST_API_KEY),
      body: chatBody(model, { stream: true }),
    });

  it('sends each event as soon as the connector yields it, with SSE headers', async () => {
    const responsePromise = openStream('live:m');
    const { channel: stream, request } = await channel.nextStream();
    expect(request.stream).toBe(true);
    // The stream begins with its first event: status line and headers travel with it.
    stream.push({ type: 'response-start', id: 's1', model: 'm', created: 1_700_000_000 });
    const response = await responsePromise;
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-accel-buffering']).toBe('no');
    expect(response.headers['x-llmproxy-overhead-ms']).toMatch(/^\d+\.\d{3}$/);

    const received = { text: '' };
    stream.push({ type: 'text-delta', text: 'first-piece' });
    await readUntil(response, (text) => text.includes('first-piece'), received);
    expect(received.text).not.toContain('second-piece');

    stream.push({ type: 'text-delta', text: 'second-piece' });
    await readUntil(response, (text) => text.includes('second-piece'), received);
    expect(received.text).not.toContain('[DONE]');

    stream.push({ type: 'finish', finishReason: 'stop' });
    stream.end();
    await readUntil(response, (text) => text.includes('data: [DONE]'), received);
    const chunks = received.text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice('data: '.length)));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? null)).toEqual(['', 'first-piece', 'second-piece', null]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('answers a failure before the first event with an HTTP error, not an empty stream', async () => {
    const responsePromise = exchange(proxy.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: bearer(TEST_API_KEY),
      body: chatBody('live:m', { stream: true }),
    });
    const { channel: stream } = await channel.nextStream();
    stream.fail(new UpstreamError({ backend: 'live', status: 503, error: { message: 'The engine is currently overloaded' } }));
    const response = await responsePromise;
    expect(response.status).toBe(503);
    expect(response.json().error.message).toBe('The engine is currently overloaded');
  });

  it('aborts the signal given to the connector when the client disconnects', async () => {
    const responsePromise = openStream('live:m');
    const { channel: stream, signal } = await channel.nextStream();
    stream.push({ type: 'response-start', id: 's2', model: 'm', created: 1_700_000_000 }, { type: 'text-delta', text: 'hello' });
    const response = await responsePromise;
    await readUntil(response, (text) => text.includes('hello'));
    expect(signal.aborted).toBe(false);
    response.destroy();
    if (!signal.aborted) await once(signal, 'abort');
    expect(signal.aborted).toBe(true);
    const logged = await waitForLog(proxy, (entry) => entry.message === 'HTTP request' && entry.meta['clientDisconnected'] === true);
    expect(logged.meta['backend']).toBe('live');
  });

  it('stops pulling from the connector while the client does not read (backpressure)', async () => {
    flood.pulled = 0;
    const response = await openStream('flood:m');
    response.pause();
    const pulledWhilePaused = await settled(() => flood.pulled);
    // Socket buffers hold some megabytes; without backpressure all 2,000 × 64 KiB would be pulled at once.
    expect(pulledWhilePaused).toBeLessThan(FLOOD_EVENTS / 2);
    let bytes = 0;
    let tail = '';
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      tail = (tail + chunk.toString('utf8')).slice(-100);
    });
    response.resume();
    await once(response, 'end');
    expect(flood.pulled).toBe(FLOOD_EVENTS);
    expect(bytes).toBeGreaterThan(FLOOD_EVENTS * FLOOD_EVENT_SIZE);
    expect(tail).toContain('data: [DONE]');
  });

  it('turns an error after the stream began into an in-stream error frame, then ends', async () => {
    const response = await exchange(proxy.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: bearer(TEST_API_KEY),
      body: chatBody('failing:stream-then-fail', { stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.text).toContain('partial');
    expect(response.text).toContain('upstream connection reset');
    expect(response.text).toMatch(/"error"/);
  });

  it('answers an error before the stream began as a normal error response', async () => {
    const response = await exchange(proxy.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: bearer(TEST_API_KEY),
      body: chatBody('failing:rate-limited', { stream: true }),
    });
    expect(response.status).toBe(429);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json().error.message).toContain('Rate limit reached');
  });
});

async function waitForLog(
  proxy: TestProxy,
  predicate: (entry: TestProxy['logger']['entries'][number]) => boolean,
): Promise<TestProxy['logger']['entries'][number]> {
  for (;;) {
    const found = proxy.logger.entries.find(predicate);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
