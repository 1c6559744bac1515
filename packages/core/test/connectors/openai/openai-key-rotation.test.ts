/**
 * The openai connector with several API keys against the fake OpenAI upstream: rotation,
 * retirement of rejected keys with a retry before the client sees anything, and 429 rests.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, ConnectorContext } from '@llmproxy/connector-sdk';
import openai from '../../../src/connectors/openai/index.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import { rateLimitedReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

const GOOD_KEY = 'sk-good-0123456789';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeUpstream(apiKey?: string): Promise<FakeOpenAIUpstream> {
  const upstream = await startFakeOpenAIUpstream(apiKey === undefined ? {} : { apiKey });
  cleanups.push(() => upstream.close());
  return upstream;
}

function contextFor(env: Record<string, string>, config: Record<string, unknown> = {}): ConnectorContext & { logger: RecordingLogger } {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: 5000, logger });
  cleanups.push(() => http.close());
  return { backendName: 'openai', logger, http, notifier: { notify() {} }, config, env };
}

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  stream: false,
  ...overrides,
});
const options = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

function keysSent(upstream: FakeOpenAIUpstream): Array<string | undefined> {
  return upstream.requests.map((seen) => seen.headers.authorization?.replace('Bearer ', ''));
}

describe('openai connector with several API keys', () => {
  it('retires a rejected key and answers with the next one, logging the key number only', async () => {
    const upstream = await fakeUpstream(GOOD_KEY);
    const context = contextFor({
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_API_KEY_1: 'sk-bad-first',
      OPENAI_API_KEY_2: GOOD_KEY,
      OPENAI_API_KEY_3: 'sk-bad-third',
    });
    const connector = await openai.create(context);

    const first = await connector.chat(request(), options());
    expect(first.type === 'response' && first.response.content).toEqual([{ type: 'text', text: 'Hello from the fake upstream' }]);
    const second = await connector.chat(request(), options());
    expect(second.type).toBe('response');
    await connector.chat(request(), options());

    expect(keysSent(upstream)).toEqual(['sk-bad-first', GOOD_KEY, 'sk-bad-third', GOOD_KEY, GOOD_KEY]);
    const warnings = context.logger.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
    expect(warnings).toEqual([
      expect.stringMatching(/^API key #1 of backend openai was rejected by the upstream; retired, next try at \S+Z$/),
      expect.stringMatching(/^API key #3 of backend openai was rejected by the upstream; retired, next try at \S+Z$/),
    ]);
    expect(context.logger.text()).not.toContain('sk-bad');
    expect(context.logger.text()).not.toContain(GOOD_KEY);
  });

  it('retries a stream with the next key before anything reached the client', async () => {
    const upstream = await fakeUpstream(GOOD_KEY);
    const connector = await openai.create(
      contextFor({ OPENAI_BASE_URL: upstream.baseUrl, OPENAI_API_KEY: 'sk-bad-main', OPENAI_API_KEY_1: GOOD_KEY }),
    );
    upstream.enqueue({ type: 'answer', text: ['streamed', ' fine'] });
    const result = await connector.chat(request({ stream: true }), options());
    if (result.type !== 'stream') throw new Error('expected a stream');
    const texts: string[] = [];
    for await (const event of result.events as AsyncIterable<ChatEvent>) if (event.type === 'text-delta') texts.push(event.text);
    expect(texts).toEqual(['streamed', ' fine']);
    expect(keysSent(upstream)).toEqual(['sk-bad-main', GOOD_KEY]);
  });

  it('rests a rate-limited key for its Retry-After and moves on to the next key', async () => {
    const upstream = await fakeUpstream();
    const context = contextFor({ OPENAI_BASE_URL: upstream.baseUrl, OPENAI_API_KEY_1: 'sk-one', OPENAI_API_KEY_2: 'sk-two' });
    const connector = await openai.create(context);
    upstream.enqueue(rateLimitedReply(60));
    const first = await connector.chat(request(), options());
    expect(first.type).toBe('response');
    await connector.chat(request(), options());
    expect(keysSent(upstream)).toEqual(['sk-one', 'sk-two', 'sk-two']);
    expect(context.logger.entries.some((entry) => entry.message === 'API key #1 of backend openai was rate limited (429); resting 60 s')).toBe(
      true,
    );
  });

  it('when every key is rate limited the client gets 429 with retry-after, without another upstream call', async () => {
    const upstream = await fakeUpstream();
    const connector = await openai.create(
      contextFor({ OPENAI_BASE_URL: upstream.baseUrl, OPENAI_API_KEY_1: 'sk-one', OPENAI_API_KEY_2: 'sk-two' }),
    );
    upstream.enqueue(rateLimitedReply(30), rateLimitedReply(45));
    const firstError = await connector.chat(request(), options()).catch((error: unknown) => error);
    // The upstream's own 429 reaches the client when the last key runs out.
    expect(firstError).toBeInstanceOf(UpstreamError);
    expect((firstError as UpstreamError).upstreamStatus).toBe(429);
    expect((firstError as UpstreamError).upstreamHeaders['retry-after']).toBe('45');

    const secondError = (await connector.chat(request(), options()).catch((error: unknown) => error)) as LlmProxyError;
    expect(secondError.code).toBe('BACKEND_KEYS_EXHAUSTED');
    expect(secondError.httpStatus).toBe(429);
    expect(secondError.details['retryAfterSeconds']).toBeGreaterThanOrEqual(29);
    expect(upstream.requests).toHaveLength(2);
  });

  it('every key rejected: the upstream 401 first, then BACKEND_KEYS_EXHAUSTED without an upstream call', async () => {
    const upstream = await fakeUpstream(GOOD_KEY);
    const connector = await openai.create(contextFor({ OPENAI_BASE_URL: upstream.baseUrl }, { api_keys: ['sk-bad-a', 'sk-bad-b'] }));
    const firstError = (await connector.chat(request(), options()).catch((error: unknown) => error)) as UpstreamError;
    expect(firstError.upstreamStatus).toBe(401);
    expect(firstError.message).toContain('Incorrect API key provided');
    const secondError = (await connector.chat(request(), options()).catch((error: unknown) => error)) as LlmProxyError;
    expect(secondError.code).toBe('BACKEND_KEYS_EXHAUSTED');
    expect(secondError.httpStatus).toBe(401);
    expect(secondError.message).not.toContain('sk-bad');
    expect(upstream.requests).toHaveLength(2);
  });

  it('a single key that gets 429 passes the upstream answer through and keeps being used', async () => {
    const upstream = await fakeUpstream(GOOD_KEY);
    const connector = await openai.create(contextFor({ OPENAI_BASE_URL: upstream.baseUrl, OPENAI_API_KEY: GOOD_KEY }));
    upstream.enqueue(rateLimitedReply(30));
    const error = (await connector.chat(request(), options()).catch((thrown: unknown) => thrown)) as UpstreamError;
    expect(error.upstreamStatus).toBe(429);
    const next = await connector.chat(request(), options());
    expect(next.type).toBe('response');
    expect(upstream.requests).toHaveLength(2);
  });
});
