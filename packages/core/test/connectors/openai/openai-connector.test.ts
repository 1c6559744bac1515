import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, ChatResult, Connector, ConnectorContext } from '@llmproxy/connector-sdk';
import { collectChatStream } from '../../../src/canonical/collect-chat-stream.js';
import { replayChatResponse } from '../../../src/canonical/replay-chat-response.js';
import openaiCompatible from '../../../src/connectors/openai-compatible/index.js';
import openai from '../../../src/connectors/openai/index.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import {
  rateLimitedReply,
  serverErrorReply,
  startFakeOpenAIUpstream,
  type FakeOpenAIUpstream,
} from '../../support/fake-openai-upstream.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

const API_KEY = 'sk-test-0123456789abcdef';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeUpstream(options: { apiKey?: string } = { apiKey: API_KEY }): Promise<FakeOpenAIUpstream> {
  const upstream = await startFakeOpenAIUpstream(options);
  cleanups.push(() => upstream.close());
  return upstream;
}

interface ContextOptions {
  backendName?: string;
  config?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

function contextFor(options: ContextOptions): ConnectorContext & { logger: RecordingLogger } {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: options.timeoutMs ?? 5000, logger });
  cleanups.push(() => http.close());
  return {
    backendName: options.backendName ?? 'openai',
    logger,
    http,
    notifier: { notify() {} },
    config: options.config ?? {},
    env: options.env ?? {},
  };
}

async function openaiConnector(upstream: FakeOpenAIUpstream, options: ContextOptions = {}): Promise<Connector> {
  return openai.create(contextFor({ env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: upstream.baseUrl }, ...options }));
}

function chatRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, ...overrides };
}

const options = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

function streamOf(result: ChatResult): AsyncIterable<ChatEvent> {
  if (result.type !== 'stream') throw new Error(`expected a stream, got ${result.type}`);
  return result.events;
}

async function allEvents(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const collected: ChatEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('openai connector against a fake OpenAI upstream', () => {
  it('declares itself as the static-credential openai connector with a default backend', () => {
    expect(openai).toMatchObject({ id: 'openai', hasStaticCredentials: true, createsDefaultBackend: true });
    expect(openaiCompatible).toMatchObject({ id: 'openai-compatible', hasStaticCredentials: true, createsDefaultBackend: false });
  });

  it('answers a non-streamed request with text, usage and extras, sending the key and the canonical fields', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', text: ['Hello', ' there'] });
    const connector = await openaiConnector(upstream);
    const result = await connector.chat(
      chatRequest({ maxOutputTokens: 50, temperature: 0.2, stop: ['END'], reasoning: { effort: 'low' }, user: 'u-1' }),
      options(),
    );
    expect(result.type).toBe('response');
    if (result.type !== 'response') return;
    expect(result.response).toEqual({
      id: 'chatcmpl-fake0001',
      model: 'gpt-4o-mini',
      created: 1_700_000_001,
      content: [{ type: 'text', text: 'Hello there' }],
      finishReason: 'stop',
      usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18, cachedInputTokens: 3, reasoningTokens: 2 },
      protocolExtras: {
        protocol: 'openai-chat',
        fields: { service_tier: 'default', system_fingerprint: 'fp_fake', message: { annotations: [] } },
      },
    });
    const seen = upstream.requests[0];
    expect(seen?.path).toBe('/v1/chat/completions');
    expect(seen?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 50,
      temperature: 0.2,
      stop: ['END'],
      reasoning_effort: 'low',
      user: 'u-1',
    });
  });

  it('streams incrementally: the first text arrives before the upstream sends its next chunk', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', text: ['Hel', 'lo', '!'], chunkDelayMs: [300, 300] });
    const connector = await openaiConnector(upstream);
    const events = streamOf(await connector.chat(chatRequest({ stream: true }), options()));
    const iterator = events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response-start', id: 'chatcmpl-fake0002', model: 'gpt-4o-mini' });
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hel' });
    // Frames so far: the role chunk and "Hel"; "lo" is 300 ms away.
    expect(upstream.requests[0]?.framesSent).toBe(2);
    const rest: ChatEvent[] = [];
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rest.push(next.value);
    expect(rest).toEqual([
      { type: 'text-delta', text: 'lo' },
      { type: 'text-delta', text: '!' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18, cachedInputTokens: 3, reasoningTokens: 2 } },
    ]);
    const body = upstream.requests[0]?.body as Record<string, unknown>;
    expect(body['stream']).toBe(true);
    expect(body['stream_options']).toEqual({ include_usage: true });
    expect(upstream.requests[0]?.headers.accept).toBe('text/event-stream');
  });

  it('streams parallel tool calls whose arguments arrive in pieces, and reasoning', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'answer',
      reasoning: ['Need ', 'weather'],
      toolCalls: [
        { id: 'call_a', name: 'get_weather', argumentPieces: ['{"ci', 'ty":"Par', 'is"}'] },
        { id: 'call_b', name: 'get_time', argumentPieces: ['{"tz":', '"CET"}'] },
      ],
    });
    const connector = await openaiConnector(upstream);
    const events = await allEvents(streamOf(await connector.chat(chatRequest({ stream: true }), options())));
    expect(events.slice(1)).toEqual([
      { type: 'reasoning-delta', text: 'Need ' },
      { type: 'reasoning-delta', text: 'weather' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"ci' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'ty":"Par' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'is"}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"tz":' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '"CET"}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18, cachedInputTokens: 3, reasoningTokens: 2 } },
    ]);
  });

  it('collects a streamed answer with parallel tool calls into one response', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'answer',
      text: ['Checking.'],
      toolCalls: [
        { id: 'call_a', name: 'a', argumentPieces: ['{"x"', ':1}'] },
        { id: 'call_b', name: 'b', argumentPieces: ['{}'] },
      ],
    });
    const connector = await openaiConnector(upstream);
    const response = await collectChatStream(streamOf(await connector.chat(chatRequest({ stream: true }), options())));
    expect(response.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', id: 'call_a', name: 'a', arguments: '{"x":1}' },
      { type: 'tool-call', id: 'call_b', name: 'b', arguments: '{}' },
    ]);
    expect(response.finishReason).toBe('tool-calls');
  });

  it('passes a 429 through with the upstream status, error body and retry-after', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue(rateLimitedReply(12));
    const connector = await openaiConnector(upstream);
    const error = await caught(connector.chat(chatRequest({ stream: true }), options()));
    expect(error).toBeInstanceOf(UpstreamError);
    const upstreamError = error as UpstreamError;
    expect(upstreamError.upstreamStatus).toBe(429);
    expect(upstreamError.httpStatus).toBe(429);
    expect(upstreamError.upstreamError).toEqual({
      message: 'Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
    expect(upstreamError.upstreamHeaders['retry-after']).toBe('12');
    expect(upstreamError.details['backend']).toBe('openai');
  });

  it('passes a 500 through', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue(serverErrorReply());
    const connector = await openaiConnector(upstream);
    const error = (await caught(connector.chat(chatRequest(), options()))) as UpstreamError;
    expect(error.upstreamStatus).toBe(500);
    expect(error.upstreamError.type).toBe('server_error');
    expect(error.message).toContain('The server had an error');
  });

  it('gives a useful message for an error body that is not JSON', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'error', status: 502, rawBody: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    const connector = await openaiConnector(upstream);
    const error = (await caught(connector.chat(chatRequest(), options()))) as UpstreamError;
    expect(error.upstreamStatus).toBe(502);
    expect(error.upstreamError.message).toBe('The upstream answered HTTP 502: <html><body><h1>502 Bad Gateway</h1></body></html>');
  });

  it('passes the upstream 401 for a wrong key', async () => {
    const upstream = await fakeUpstream();
    const connector = await openaiConnector(upstream, { env: { OPENAI_API_KEY: 'sk-wrong', OPENAI_BASE_URL: upstream.baseUrl } });
    const error = (await caught(connector.chat(chatRequest(), options()))) as UpstreamError;
    expect(error.upstreamStatus).toBe(401);
    expect(error.upstreamError.code).toBe('invalid_api_key');
  });

  it('a client abort mid-stream closes the upstream request', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', text: ['one', 'two'], stallAfterFrames: 2 });
    const connector = await openaiConnector(upstream);
    const controller = new AbortController();
    const iterator = streamOf(await connector.chat(chatRequest({ stream: true }), { signal: controller.signal }))[
      Symbol.asyncIterator
    ]();
    await iterator.next(); // response-start
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'one' });
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(upstream.requests[0]?.closed).resolves.toEqual({ beforeResponseCompleted: true });
  });

  it('a client abort before the upstream answered closes the upstream request', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'hang' });
    const connector = await openaiConnector(upstream);
    const controller = new AbortController();
    const chatting = connector.chat(chatRequest({ stream: true }), { signal: controller.signal });
    const seen = await upstream.waitForRequest(0);
    controller.abort();
    await expect(chatting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(seen.closed).resolves.toEqual({ beforeResponseCompleted: true });
  });

  it('times out an upstream that does not answer with a 504 naming the setting', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'hang' });
    const connector = await openaiConnector(upstream, { timeoutMs: 200 });
    const error = (await caught(connector.chat(chatRequest(), options()))) as LlmProxyError;
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.httpStatus).toBe(504);
    expect(error.message).toContain(`127.0.0.1:${upstream.port}`);
    expect(error.message).toContain('server.upstream_timeout_ms = 200');
  });

  it('a missing key is a clear error per request, not a startup failure, and reaches no upstream', async () => {
    const upstream = await fakeUpstream();
    const context = contextFor({ env: { OPENAI_BASE_URL: upstream.baseUrl } });
    const connector = await openai.create(context);
    const error = (await caught(connector.chat(chatRequest(), options()))) as LlmProxyError;
    expect(error.code).toBe('BACKEND_CREDENTIALS_MISSING');
    expect(error.httpStatus).toBe(401);
    expect(error.message).toBe(
      'Backend openai has no API key. Set the OPENAI_API_KEY environment variable or backends.openai.api_key in the config file and restart llm-proxy.',
    );
    await expect(connector.listModels(options())).rejects.toMatchObject({ code: 'BACKEND_CREDENTIALS_MISSING' });
    expect(upstream.requests).toHaveLength(0);
    expect(context.logger.entries.some((entry) => entry.message.includes('has no API key'))).toBe(true);
  });

  it('lists the upstream models and caches them', async () => {
    const upstream = await fakeUpstream();
    upstream.models = ['gpt-4o', 'o3-mini'];
    const connector = await openaiConnector(upstream);
    const expected = [
      { id: 'gpt-4o', ownedBy: 'openai', created: 1_700_000_000 },
      { id: 'o3-mini', ownedBy: 'openai', created: 1_700_000_000 },
    ];
    expect(await connector.listModels(options())).toEqual(expected);
    expect(await connector.listModels(options())).toEqual(expected);
    expect(upstream.requests.filter((request) => request.path === '/v1/models')).toHaveLength(1);
  });

  it('lists configured models without asking the upstream', async () => {
    const upstream = await fakeUpstream();
    const connector = await openaiConnector(upstream, {
      config: { models: ['gpt-4o', { id: 'o3', owned_by: 'me' }] },
      env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: upstream.baseUrl },
    });
    expect(await connector.listModels(options())).toEqual([{ id: 'gpt-4o' }, { id: 'o3', ownedBy: 'me' }]);
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses extras from another protocol by name', async () => {
    const upstream = await fakeUpstream();
    const connector = await openaiConnector(upstream);
    const error = (await caught(
      connector.chat(chatRequest({ protocolExtras: { protocol: 'anthropic-messages', fields: { top_k: 5 } } }), options()),
    )) as LlmProxyError;
    expect(error.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toContain('`top_k`');
    expect(error.message).toContain('from anthropic-messages to openai-chat');
    expect(upstream.requests).toHaveLength(0);
  });

  it('throws an error event sent mid-stream as an upstream error', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'raw-stream',
      frames: [
        'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
        'data: {"error":{"message":"The model is overloaded","type":"server_error","param":null,"code":"overloaded"}}\n\n',
      ],
    });
    const connector = await openaiConnector(upstream);
    const iterator = streamOf(await connector.chat(chatRequest({ stream: true }), options()))[Symbol.asyncIterator]();
    await iterator.next();
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hi' });
    const error = (await caught(iterator.next())) as UpstreamError;
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.upstreamError).toEqual({ message: 'The model is overloaded', type: 'server_error', param: null, code: 'overloaded' });
  });

  it('reports a stream cut off before its end', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'raw-stream',
      frames: ['data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n'],
    });
    const connector = await openaiConnector(upstream);
    const error = (await caught(allEvents(streamOf(await connector.chat(chatRequest({ stream: true }), options()))))) as LlmProxyError;
    expect(error.code).toBe('UPSTREAM_STREAM_INTERRUPTED');
    expect(error.httpStatus).toBe(502);
  });

  it('answers in one piece, for the chat route to replay as a stream, when the server ignored stream: true', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', text: ['whole'], ignoreStream: true });
    const connector = await openaiConnector(upstream);
    const result = await connector.chat(chatRequest({ stream: true }), options());
    if (result.type !== 'response') throw new Error(`expected a response, got ${result.type}`);
    const events = await allEvents(replayChatResponse(result.response));
    expect(events.map((event) => event.type)).toEqual(['response-start', 'text-delta', 'finish', 'usage']);
    expect(events[1]).toEqual({ type: 'text-delta', text: 'whole' });
  });
});

describe('openai connector settings', () => {
  it('for the backend openai, OPENAI_API_KEY and OPENAI_BASE_URL win over YAML', async () => {
    const upstream = await fakeUpstream();
    const connector = await openai.create(
      contextFor({
        config: { api_key: 'sk-from-yaml', base_url: 'http://127.0.0.1:9/v1' },
        env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: upstream.baseUrl },
      }),
    );
    await connector.chat(chatRequest(), options());
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('uses YAML api_key and base_url when the variables are unset', async () => {
    const upstream = await fakeUpstream();
    const connector = await openai.create(contextFor({ config: { api_key: API_KEY, base_url: `${upstream.baseUrl}/` } }));
    await connector.chat(chatRequest(), options());
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(upstream.requests[0]?.path).toBe('/v1/chat/completions');
  });

  it('another backend of type openai prefers its own YAML slice, then api_key_env', async () => {
    const upstream = await fakeUpstream();
    const connector = await openai.create(
      contextFor({
        backendName: 'second',
        config: { api_key: API_KEY, base_url: upstream.baseUrl },
        env: { OPENAI_API_KEY: 'sk-of-the-default-backend', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
      }),
    );
    await connector.chat(chatRequest(), options());
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);

    const named = await openai.create(
      contextFor({ backendName: 'third', config: { api_key_env: 'THIRD_KEY', base_url: upstream.baseUrl }, env: {} }),
    );
    const error = (await caught(named.chat(chatRequest(), options()))) as LlmProxyError;
    expect(error.code).toBe('BACKEND_CREDENTIALS_MISSING');
    expect(error.message).toContain('THIRD_KEY');
  });

  it('rejects a base URL that is not http(s), naming where it came from', () => {
    expect(() => openai.create(contextFor({ env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: 'ftp://example.test' } }))).toThrow(
      expect.objectContaining({ code: 'BACKEND_CONFIG_INVALID', currentValue: 'OPENAI_BASE_URL = ftp://example.test' }),
    );
  });

  it('never repeats a malformed api_key in its error', () => {
    let error: unknown;
    try {
      openai.create(contextFor({ config: { api_key: 123456789 } }));
    } catch (thrown) {
      error = thrown;
    }
    expect((error as LlmProxyError).code).toBe('BACKEND_CONFIG_INVALID');
    expect((error as LlmProxyError).message).toContain('backends.openai.api_key must be a string');
    expect((error as LlmProxyError).message).not.toContain('123456789');
  });
});

describe('openai-compatible connector', () => {
  it('requires base_url, naming the key', () => {
    expect(() => openaiCompatible.create(contextFor({ backendName: 'local', config: {} }))).toThrow(
      expect.objectContaining({
        code: 'BACKEND_CONFIG_INVALID',
        message: expect.stringContaining('backends.local.base_url is required for an openai-compatible backend'),
      }),
    );
  });

  it('talks to the server without credentials, sending max_tokens, with static models', async () => {
    const upstream = await fakeUpstream({});
    const connector = await openaiCompatible.create(
      contextFor({ backendName: 'local', config: { base_url: upstream.baseUrl, models: ['llama3:8b'] }, env: { OPENAI_API_KEY: 'sk-not-for-local' } }),
    );
    const result = await connector.chat(chatRequest({ model: 'llama3:8b', maxOutputTokens: 64 }), options());
    expect(result.type).toBe('response');
    expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
    expect(upstream.requests[0]?.body).toMatchObject({ model: 'llama3:8b', max_tokens: 64 });
    expect(await connector.listModels(options())).toEqual([{ id: 'llama3:8b' }]);
  });

  it('reads its key from the variable named by api_key_env', async () => {
    const upstream = await fakeUpstream({ apiKey: 'local-key' });
    const connector = await openaiCompatible.create(
      contextFor({ backendName: 'local', config: { base_url: upstream.baseUrl, api_key_env: 'LOCAL_KEY' }, env: { LOCAL_KEY: 'local-key' } }),
    );
    const events = await allEvents(streamOf(await connector.chat(chatRequest({ stream: true }), options())));
    expect(events.at(-2)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer local-key');
  });
});
