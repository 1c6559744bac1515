/**
 * The gemini connector against the fake Gemini upstream over real HTTP: the request it sends,
 * whole and streamed answers, incremental streaming, key rotation on 429 and refused keys,
 * errors, and the model list.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, ChatResult, Connector } from '@llmproxy/connector-sdk';
import { collectChatStream } from '../../../src/canonical/collect-chat-stream.js';
import gemini, { resolveGeminiSettings } from '../../../src/connectors/gemini/index.js';
import { createUpstreamHttpClient, type ClosableUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import {
  geminiRateLimitedReply,
  startFakeGeminiUpstream,
  type FakeGeminiUpstream,
} from '../../support/fake-gemini-upstream.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

const KEYS = ['AIza-key-one', 'AIza-key-two'];
let upstream: FakeGeminiUpstream;
let http: ClosableUpstreamHttpClient;

beforeAll(async () => {
  upstream = await startFakeGeminiUpstream({ apiKeys: KEYS });
  http = createUpstreamHttpClient({ timeoutMs: 5000, logger: createRecordingLogger() });
});

afterAll(async () => {
  http.close();
  await upstream.close();
});

async function connectorWith(env: Record<string, string>, config: Record<string, unknown> = {}, logger: RecordingLogger = createRecordingLogger()): Promise<Connector> {
  return gemini.create({ backendName: 'gemini', logger, http, notifier: { notify() {} }, config, env: { GEMINI_BASE_URL: upstream.baseUrl, ...env } });
}

function chat(stream: boolean, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream, ...overrides };
}

async function eventsOf(result: ChatResult): Promise<ChatEvent[]> {
  if (result.type !== 'stream') throw new Error('expected a stream');
  const events: ChatEvent[] = [];
  for await (const event of result.events) events.push(event);
  return events;
}

function signal(): AbortSignal {
  return new AbortController().signal;
}

describe('the gemini connector', () => {
  it('sends generateContent with the key header and reads the whole answer', async () => {
    const connector = await connectorWith({ GEMINI_API_KEY: KEYS[0] as string });
    upstream.enqueue({ type: 'answer', chunks: [[{ text: 'Bonjour' }]], usage: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 } });
    const before = upstream.requests.length;
    const result = await connector.chat(chat(false, { temperature: 0.1 }), { signal: signal() });
    expect(result.type).toBe('response');
    const response = result.type === 'response' ? result.response : undefined;
    expect(response).toMatchObject({ model: 'gemini-2.5-flash', content: [{ type: 'text', text: 'Bonjour' }], finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 2 } });
    const sent = upstream.requests[before];
    expect(sent?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent?.headers['x-goog-api-key']).toBe(KEYS[0]);
    expect(sent?.query.get('key')).toBeNull();
    expect(sent?.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { temperature: 0.1 } });
  });

  it('streams with alt=sse, passing each chunk on before the next one was sent', async () => {
    const connector = await connectorWith({ GEMINI_API_KEY: KEYS[0] as string });
    upstream.enqueue({
      type: 'answer',
      chunks: [
        [{ text: 'Thinking', thought: true }],
        [{ text: 'Hello' }],
        [{ functionCall: { name: 'get_time', args: { tz: 'UTC' } }, thoughtSignature: 'c2lnLXRpbWU=' }],
      ],
      chunkDelayMs: 300,
    });
    const before = upstream.requests.length;
    const result = await connector.chat(chat(true), { signal: signal() });
    if (result.type !== 'stream') throw new Error('expected a stream');
    const iterator = result.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response-start', id: 'fake-response-0002' });
    expect((await iterator.next()).value).toEqual({ type: 'reasoning-delta', text: 'Thinking' });
    const sent = upstream.requests[before];
    expect(sent?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(sent?.query.get('alt')).toBe('sse');
    // The first event arrived while the upstream still had chunks to send.
    expect(sent?.framesSent).toBe(1);
    const rest: ChatEvent[] = [];
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rest.push(next.value);
    expect(rest.map((event) => event.type)).toEqual(['text-delta', 'reasoning-delta', 'tool-call-start', 'tool-call-delta', 'finish', 'usage']);
    expect(rest[1]).toEqual({ type: 'reasoning-delta', text: '', signature: 'c2lnLXRpbWU=' });
    expect(rest[3]).toMatchObject({ argumentsDelta: '{"tz":"UTC"}' });
    expect(rest[4]).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    expect(rest[5]).toEqual({ type: 'usage', usage: { inputTokens: 12, outputTokens: 8, totalTokens: 20, cachedInputTokens: 4, reasoningTokens: 3 } });
  });

  it('moves on to the next key after a 429, resting the first for RetryInfo.retryDelay', async () => {
    const logger = createRecordingLogger();
    const connector = await connectorWith({ GEMINI_API_KEY_1: KEYS[0] as string, GEMINI_API_KEY_2: KEYS[1] as string }, {}, logger);
    upstream.enqueue(geminiRateLimitedReply('9s'), { type: 'answer', chunks: [[{ text: 'second key' }]] });
    const before = upstream.requests.length;
    const response = await collectChatStream(streamOf(await connector.chat(chat(true), { signal: signal() })));
    expect(response.content).toEqual([{ type: 'text', text: 'second key' }]);
    expect(upstream.requests.slice(before).map((seen) => seen.headers['x-goog-api-key'])).toEqual(KEYS);
    expect(logger.text()).toContain('API key #1 of backend gemini was rate limited (429); resting 9 s');
    expect(logger.text()).not.toContain(KEYS[0]);
    // Key 1 rests: the next request goes to key 2 straight away.
    upstream.enqueue({ type: 'answer', chunks: [[{ text: 'again' }]] });
    await connector.chat(chat(false), { signal: signal() });
    expect(upstream.requests.at(-1)?.headers['x-goog-api-key']).toBe(KEYS[1]);
  });

  it('retires a key Google refuses (400 API_KEY_INVALID) and retries with the next', async () => {
    const logger = createRecordingLogger();
    const connector = await connectorWith({ GEMINI_API_KEY_1: 'AIza-revoked', GEMINI_API_KEY_2: KEYS[1] as string }, {}, logger);
    upstream.enqueue({ type: 'answer', chunks: [[{ text: 'valid key' }]] });
    const result = await connector.chat(chat(false), { signal: signal() });
    expect(result.type === 'response' && result.response.content).toEqual([{ type: 'text', text: 'valid key' }]);
    expect(logger.text()).toContain('API key #1 of backend gemini was rejected');
    expect(logger.text()).not.toContain('AIza-revoked');
  });

  it('passes Gemini errors on with their status and message, and the retry hint as retry-after', async () => {
    const connector = await connectorWith({ GEMINI_API_KEY: KEYS[0] as string });
    upstream.enqueue(geminiRateLimitedReply('12s'));
    const error = await connector.chat(chat(false), { signal: signal() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    const upstreamError = error as UpstreamError;
    expect(upstreamError.upstreamStatus).toBe(429);
    expect(upstreamError.upstreamError).toMatchObject({ message: expect.stringContaining('You exceeded your current quota'), type: 'RESOURCE_EXHAUSTED' });
    expect(upstreamError.upstreamHeaders['retry-after']).toBe('12');

    const onlyBadKey = await connectorWith({ GEMINI_API_KEY: 'AIza-wrong' });
    const refused = (await onlyBadKey.chat(chat(false), { signal: signal() }).catch((caught: unknown) => caught)) as UpstreamError;
    expect(refused.upstreamStatus).toBe(400);
    expect(refused.upstreamError.code).toBe('API_KEY_INVALID');
  });

  it('fails without a key, naming GEMINI_API_KEY, and never calls the upstream', async () => {
    const connector = await connectorWith({});
    const before = upstream.requests.length;
    const error = await connector.chat(chat(false), { signal: signal() }).catch((caught: unknown) => caught);
    expect(LlmProxyError.is(error) && error.code).toBe('BACKEND_CREDENTIALS_MISSING');
    expect((error as LlmProxyError).message).toContain('GEMINI_API_KEY');
    expect(upstream.requests.length).toBe(before);
  });

  it('treats a stream that ends without a finish reason as interrupted', async () => {
    const connector = await connectorWith({ GEMINI_API_KEY: KEYS[0] as string });
    upstream.enqueue({ type: 'answer', chunks: [[{ text: 'cut' }]], omitFinish: true });
    const error = await eventsOf(await connector.chat(chat(true), { signal: signal() })).catch((caught: unknown) => caught);
    expect(LlmProxyError.is(error) && error.code).toBe('UPSTREAM_STREAM_INTERRUPTED');
  });

  it('lists generateContent models without the models/ prefix, following pages', async () => {
    upstream.models = [
      { name: 'models/gemini-2.5-flash', supportedGenerationMethods: ['generateContent', 'countTokens'] },
      { name: 'models/text-embedding-004', supportedGenerationMethods: ['embedContent'] },
      ...Array.from({ length: 1001 }, (_, index) => ({ name: `models/tuned-${index}`, supportedGenerationMethods: ['generateContent'] })),
    ];
    const connector = await connectorWith({ GEMINI_API_KEY: KEYS[0] as string });
    const before = upstream.requests.length;
    const models = await connector.listModels({ signal: signal() });
    expect(models[0]).toEqual({ id: 'gemini-2.5-flash', ownedBy: 'google' });
    expect(models.map((model) => model.id)).not.toContain('text-embedding-004');
    expect(models).toHaveLength(1002);
    expect(upstream.requests.length - before).toBe(2);
    expect(upstream.requests.at(-1)?.query.get('pageToken')).toBe('1000');
    const configured = await connectorWith({ GEMINI_API_KEY: KEYS[0] as string }, { models: ['gemini-2.5-pro'] });
    expect(await configured.listModels({ signal: signal() })).toEqual([{ id: 'gemini-2.5-pro' }]);
  });
});

describe('resolveGeminiSettings', () => {
  const context = (backendName: string, env: Record<string, string>, config: Record<string, unknown> = {}) => ({
    backendName,
    logger: createRecordingLogger(),
    http,
    notifier: { notify() {} },
    config,
    env,
  });

  it('adds /v1beta unless the base URL names a version, and lets env win for the gemini backend only', () => {
    expect(resolveGeminiSettings(context('gemini', { GEMINI_API_KEY: 'k' })).apiRoot).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect(resolveGeminiSettings(context('gemini', { GEMINI_BASE_URL: 'http://127.0.0.1:9/v1/' })).apiRoot).toBe('http://127.0.0.1:9/v1');
    const both = { GEMINI_BASE_URL: 'http://env.example' };
    const yaml = { base_url: 'http://yaml.example/gemini' };
    expect(resolveGeminiSettings(context('gemini', both, yaml)).apiRoot).toBe('http://env.example/v1beta');
    expect(resolveGeminiSettings(context('work', both, yaml)).apiRoot).toBe('http://yaml.example/gemini/v1beta');
    expect(resolveGeminiSettings(context('gemini', { GEMINI_API_KEY: 'a', GEMINI_API_KEY_2: 'b' }, { api_keys: ['c'] })).apiKeys).toEqual(['a', 'b']);
    expect(resolveGeminiSettings(context('work', { GEMINI_API_KEY: 'a' }, { api_keys: ['c'] })).apiKeys).toEqual(['c']);
  });
});

function streamOf(result: ChatResult): AsyncIterable<ChatEvent> {
  if (result.type !== 'stream') throw new Error('expected a stream');
  return result.events;
}
