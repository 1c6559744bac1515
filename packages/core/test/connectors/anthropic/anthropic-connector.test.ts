import { afterEach, describe, expect, it } from '@jest/globals';
import type { ChatEvent, ChatRequest, ChatResult, ConnectorContext, LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import anthropic, { resolveAnthropicSettings, type AnthropicConnector } from '../../../src/connectors/anthropic/index.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import {
  anthropicOverloadedReply,
  anthropicRateLimitedReply,
  startFakeAnthropicUpstream,
  type FakeAnthropicUpstream,
} from '../../support/fake-anthropic-upstream.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

const API_KEY = 'sk-ant-test-0123456789';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeUpstream(apiKeys: string[] = [API_KEY]): Promise<FakeAnthropicUpstream> {
  const upstream = await startFakeAnthropicUpstream({ apiKeys });
  cleanups.push(() => upstream.close());
  return upstream;
}

function contextFor(options: { backendName?: string; config?: Record<string, unknown>; env?: Record<string, string> }): ConnectorContext & { logger: RecordingLogger } {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: 5000, logger });
  cleanups.push(() => http.close());
  return { backendName: options.backendName ?? 'anthropic', logger, http, notifier: { notify() {} }, config: options.config ?? {}, env: options.env ?? {} };
}

async function connectorFor(upstream: FakeAnthropicUpstream, env: Record<string, string> = { ANTHROPIC_API_KEY: API_KEY }, context = contextFor({ env: { ...env, ANTHROPIC_BASE_URL: upstream.baseUrl } })): Promise<AnthropicConnector> {
  return (await anthropic.create(context)) as AnthropicConnector;
}

function chatRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, ...overrides };
}

const signal = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

async function allEvents(result: ChatResult): Promise<ChatEvent[]> {
  if (result.type !== 'stream') throw new Error(`expected a stream, got ${result.type}`);
  const events: ChatEvent[] = [];
  for await (const event of result.events) events.push(event);
  return events;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('anthropic connector against a fake Anthropic upstream', () => {
  it('declares itself as the static-credential anthropic connector with a default backend', () => {
    expect(anthropic.id).toBe('anthropic');
    expect(anthropic.hasStaticCredentials).toBe(true);
    expect(anthropic.createsDefaultBackend).toBe(true);
  });

  it('answers a non-streamed request with Anthropic’s headers and a Messages body', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'answer',
      blocks: [
        { type: 'thinking', pieces: ['Think'], signature: 'sig-9' },
        { type: 'text', pieces: ['Bonjour'] },
      ],
    });
    const connector = await connectorFor(upstream);
    const result = await connector.chat(chatRequest({ messages: [{ role: 'system', content: [{ type: 'text', text: 'Be kind.' }] }, ...chatRequest().messages] }), signal());
    expect(result.type).toBe('response');
    if (result.type !== 'response') return;
    expect(result.response.content).toEqual([
      { type: 'reasoning', text: 'Think', signature: 'sig-9' },
      { type: 'text', text: 'Bonjour' },
    ]);
    expect(result.response.finishReason).toBe('stop');
    expect(result.response.usage).toEqual({ inputTokens: 40, outputTokens: 12, totalTokens: 52, cachedInputTokens: 10 });

    const seen = upstream.requests[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe('/v1/messages');
    expect(seen.headers['x-api-key']).toBe(API_KEY);
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be kind.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 8192,
    });
  });

  it('streams text, thinking and tool calls as canonical events while the upstream sends them', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'answer',
      blocks: [
        { type: 'thinking', pieces: ['a', 'b'], signature: 'sig' },
        { type: 'tool_use', id: 'toolu_1', name: 'search', inputPieces: ['{"q":', '"cats"}'] },
      ],
    });
    const connector = await connectorFor(upstream);
    const events = await allEvents(await connector.chat(chatRequest({ stream: true }), signal()));
    expect(events.map((event) => event.type)).toEqual([
      'response-start',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-delta',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-delta',
      'finish',
      'usage',
    ]);
    expect(events.at(-2)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    expect((upstream.requests[0]!.body as { stream?: boolean }).stream).toBe(true);
    expect(upstream.requests[0]!.headers.accept).toBe('text/event-stream');
  });

  it('hands the first event over before the upstream has finished', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', blocks: [{ type: 'text', pieces: ['first', 'never'] }], stallAfterEvents: 4 });
    const controller = new AbortController();
    const result = await (await connectorFor(upstream)).chat(chatRequest({ stream: true }), { signal: controller.signal });
    if (result.type !== 'stream') throw new Error('expected a stream');
    const iterator = result.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response-start' });
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'first' });
    controller.abort();
    await expect(upstream.requests[0]!.closed).resolves.toEqual({ beforeResponseCompleted: true });
  });

  it('moves on to the next key after a 401, logging the key’s index but never the key', async () => {
    const upstream = await fakeUpstream(['sk-ant-good-2']);
    const context = contextFor({ env: { ANTHROPIC_API_KEY_1: 'sk-ant-revoked-1', ANTHROPIC_API_KEY_2: 'sk-ant-good-2', ANTHROPIC_BASE_URL: upstream.baseUrl } });
    const connector = await connectorFor(upstream, {}, context);
    const result = await connector.chat(chatRequest(), signal());
    expect(result.type).toBe('response');
    expect(upstream.requests.map((request) => request.headers['x-api-key'])).toEqual(['sk-ant-revoked-1', 'sk-ant-good-2']);
    expect(context.logger.entries.some((entry) => entry.message.startsWith('API key #1 of backend anthropic was rejected by the upstream; retired, next try at '))).toBe(true);
    expect(context.logger.text()).not.toContain('sk-ant-revoked-1');
    // The rejected key is not tried again.
    await connector.chat(chatRequest(), signal());
    expect(upstream.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-good-2');
    expect(upstream.requests).toHaveLength(3);
  });

  it('rests a rate-limited key for its Retry-After and uses the next one', async () => {
    const upstream = await fakeUpstream(['k1', 'k2']);
    upstream.enqueue(anthropicRateLimitedReply(60));
    const connector = await connectorFor(upstream, { ANTHROPIC_API_KEY_1: 'k1', ANTHROPIC_API_KEY_2: 'k2' });
    await connector.chat(chatRequest(), signal());
    await connector.chat(chatRequest(), signal());
    expect(upstream.requests.map((request) => request.headers['x-api-key'])).toEqual(['k1', 'k2', 'k2']);
  });

  it('passes upstream errors on with Anthropic’s status, type, message and retry-after', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue(anthropicOverloadedReply(), anthropicRateLimitedReply(9));
    const connector = await connectorFor(upstream);
    const overloaded = (await caught(connector.chat(chatRequest({ stream: true }), signal()))) as UpstreamError;
    expect(overloaded.code).toBe('UPSTREAM_ERROR');
    expect(overloaded.upstreamStatus).toBe(529);
    expect(overloaded.upstreamError).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
    const limited = (await caught(connector.chat(chatRequest(), signal()))) as UpstreamError;
    expect(limited.upstreamStatus).toBe(429);
    expect(limited.upstreamHeaders).toEqual({ 'retry-after': '9', 'request-id': 'req_fake_error' });
  });

  it('throws an error event that arrives mid-stream', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', blocks: [{ type: 'text', pieces: ['a', 'b'] }], failAfterEvents: { events: 4, errorType: 'api_error', message: 'Internal server error' } });
    const result = await (await connectorFor(upstream)).chat(chatRequest({ stream: true }), signal());
    const error = (await caught(allEvents(result))) as UpstreamError;
    expect(error.upstreamStatus).toBe(500);
    expect(error.upstreamError.message).toBe('Internal server error');
  });

  it('fails requests without a key, naming what to set', async () => {
    const upstream = await fakeUpstream();
    const connector = await connectorFor(upstream, {});
    const error = (await caught(connector.chat(chatRequest(), signal()))) as LlmProxyError;
    expect(error.code).toBe('BACKEND_CREDENTIALS_MISSING');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect(upstream.requests).toHaveLength(0);
  });

  it('lists models across pages and counts tokens with the upstream', async () => {
    const upstream = await fakeUpstream();
    upstream.models = ['claude-a', 'claude-b', 'claude-c'];
    upstream.pageSize = 2;
    upstream.countTokensAnswer = 1234;
    const connector = await connectorFor(upstream);
    const models = await connector.listModels(signal());
    expect(models.map((model) => model.id)).toEqual(['claude-a', 'claude-b', 'claude-c']);
    expect(models[0]).toEqual({ id: 'claude-a', ownedBy: 'anthropic', created: Date.UTC(2025, 0, 1) / 1000 });
    expect(upstream.requests.map((request) => request.path)).toEqual(['/v1/models?limit=1000', '/v1/models?limit=1000&after_id=claude-b']);

    expect(await connector.countTokens(chatRequest({ maxOutputTokens: 50 }), signal())).toBe(1234);
    expect(upstream.requests.at(-1)!.path).toBe('/v1/messages/count_tokens');
    expect(upstream.requests.at(-1)!.body).toEqual({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
  });
});

describe('anthropic settings', () => {
  it('takes ANTHROPIC_BASE_URL for the anthropic backend and YAML first for others, without /v1', () => {
    const env = { ANTHROPIC_BASE_URL: 'https://env.example/v1/', ANTHROPIC_API_KEY: 'k-env' };
    const config = { base_url: 'https://yaml.example', api_key: 'k-yaml', default_max_tokens: 2000 };
    expect(resolveAnthropicSettings({ backendName: 'anthropic', env, config })).toMatchObject({
      baseUrl: 'https://env.example',
      apiKeys: ['k-env'],
      defaultMaxTokens: 2000,
    });
    expect(resolveAnthropicSettings({ backendName: 'claude-team', env, config })).toMatchObject({
      baseUrl: 'https://yaml.example',
      apiKeys: ['k-yaml'],
    });
    expect(resolveAnthropicSettings({ backendName: 'anthropic', env: {}, config: {} })).toMatchObject({
      baseUrl: 'https://api.anthropic.com',
      apiKeys: [],
      defaultMaxTokens: 8192,
    });
    expect(() => resolveAnthropicSettings({ backendName: 'anthropic', env: {}, config: { default_max_tokens: 0 } })).toThrow(
      expect.objectContaining({ code: 'BACKEND_CONFIG_INVALID' }) as unknown as Error,
    );
  });
});
