/**
 * The openai connector's Responses API path (`POST {base}/responses`) against a fake Responses
 * upstream speaking the real event stream.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, ChatResult, Connector, ConnectorContext } from '@llmproxy/connector-sdk';
import openai from '../../../src/connectors/openai/index.js';
import { parseResponsesRequest } from '../../../src/protocols/openai-responses/parse-responses-request.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import { startFakeResponsesUpstream, type FakeResponsesUpstream } from '../../support/fake-openai-responses-upstream.js';
import { startFakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { createRecordingLogger } from '../../support/recording-logger.js';

const API_KEY = 'sk-responses-test';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeUpstream(): Promise<FakeResponsesUpstream> {
  const upstream = await startFakeResponsesUpstream({ apiKey: API_KEY });
  cleanups.push(() => upstream.close());
  return upstream;
}

async function connectorFor(
  baseUrl: string,
  config: Record<string, unknown> = {},
  env: Record<string, string> = { OPENAI_API_KEY: API_KEY },
): Promise<Connector> {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: 5000, logger });
  cleanups.push(() => http.close());
  const context: ConnectorContext = { backendName: 'openai', logger, http, notifier: { notify() {} }, config, env: { ...env, OPENAI_BASE_URL: baseUrl } };
  return openai.create(context);
}

const conversation: ChatRequest = {
  model: 'gpt-5-codex',
  stream: false,
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }, { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'Two cities, two calls.', signature: 'enc-previous' },
        { type: 'tool-call', id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_paris', content: [{ type: 'text', text: '18C' }] }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }],
  toolChoice: 'auto',
  parallelToolCalls: true,
  maxOutputTokens: 500,
  reasoning: { effort: 'high' },
};

const options = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

async function eventsOf(result: ChatResult): Promise<ChatEvent[]> {
  if (result.type !== 'stream') throw new Error('expected a stream');
  const events: ChatEvent[] = [];
  for await (const event of result.events) events.push(event);
  return events;
}

describe('openai connector, Responses API upstream', () => {
  it('sends a Responses body for a Responses-only model and reads the answer', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'answer',
      reasoningSummary: ['Need ', 'Rome too.'],
      encryptedContent: 'enc-new',
      text: ['Checking Rome.'],
      toolCalls: [{ callId: 'call_rome', name: 'get_weather', argumentPieces: ['{"city":', '"Rome"}'] }],
    });
    const connector = await connectorFor(upstream.baseUrl);
    const result = await connector.chat(conversation, options());

    const seen = await upstream.waitForRequest(0);
    expect(seen.path).toBe('/v1/responses');
    expect(seen.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen.body).toEqual({
      store: false,
      include: ['reasoning.encrypted_content'],
      model: 'gpt-5-codex',
      instructions: 'You are terse.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather in Paris and Rome?' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
          ],
        },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Two cities, two calls.' }], encrypted_content: 'enc-previous' },
        { type: 'function_call', call_id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_paris', output: '18C' },
      ],
      tools: [
        { type: 'function', name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_output_tokens: 500,
      reasoning: { effort: 'high' },
    });

    expect(result).toEqual({
      type: 'response',
      response: {
        id: 'resp_fake0001',
        model: 'gpt-5-codex',
        created: 1_700_000_100,
        content: [
          { type: 'reasoning', text: 'Need Rome too.', signature: 'enc-new' },
          { type: 'text', text: 'Checking Rome.' },
          { type: 'tool-call', id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
        finishReason: 'tool-calls',
        usage: { inputTokens: 21, outputTokens: 13, totalTokens: 34, cachedInputTokens: 5, reasoningTokens: 4 },
      },
    });
  });

  it('streams reasoning, text and parallel tool calls whose arguments arrive in pieces', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'answer',
      reasoningSummary: ['Think', 'ing'],
      encryptedContent: 'enc-stream',
      text: ['Two ', 'calls.'],
      toolCalls: [
        { callId: 'call_a', name: 'get_weather', argumentPieces: ['{"city"', ':"Paris"}'] },
        { callId: 'call_b', name: 'get_weather', argumentPieces: ['{"city":"Rome"', '}'] },
      ],
    });
    const connector = await connectorFor(upstream.baseUrl);
    const events = await eventsOf(await connector.chat({ ...conversation, stream: true }, options()));
    expect((await upstream.waitForRequest(0)).body).toMatchObject({ stream: true });
    expect(events).toEqual([
      { type: 'response-start', id: 'resp_fake0001', model: 'gpt-5-codex', created: 1_700_000_100 },
      { type: 'reasoning-delta', text: 'Think' },
      { type: 'reasoning-delta', text: 'ing' },
      { type: 'reasoning-delta', text: '', signature: 'enc-stream' },
      { type: 'text-delta', text: 'Two ' },
      { type: 'text-delta', text: 'calls.' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ':"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city":"Rome"' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 21, outputTokens: 13, totalTokens: 34, cachedInputTokens: 5, reasoningTokens: 4 } },
    ]);
  });

  it('passes each event on as it arrives: the first text is read while the upstream is still sending', async () => {
    const upstream = await fakeUpstream();
    // Stops after created, in_progress, item added, part added and the first delta, and keeps the connection open.
    upstream.enqueue({ type: 'answer', text: ['first', 'never'], stallAfterEvents: 5 });
    const connector = await connectorFor(upstream.baseUrl);
    const controller = new AbortController();
    const result = await connector.chat({ ...conversation, stream: true }, { signal: controller.signal });
    if (result.type !== 'stream') throw new Error('expected a stream');
    const iterator = result.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response-start' });
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'first' });
    controller.abort();
    await iterator.return?.();
  });

  it('reads text and arguments that arrive only in done events, without repeating any', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({
      type: 'answer',
      reasoningSummary: ['Quietly.'],
      text: ['All at once.'],
      toolCalls: [{ callId: 'call_x', name: 'lookup', argumentPieces: ['{"q":', '1}'] }],
      withoutDeltas: true,
    });
    const connector = await connectorFor(upstream.baseUrl);
    const events = await eventsOf(await connector.chat({ ...conversation, stream: true }, options()));
    expect(events.slice(1, -2)).toEqual([
      { type: 'reasoning-delta', text: 'Quietly.' },
      { type: 'text-delta', text: 'All at once.' },
      { type: 'tool-call-start', index: 0, id: 'call_x', name: 'lookup' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":1}' },
    ]);
  });

  it('an incomplete response finishes with length', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', text: ['Cut'], status: 'incomplete' }, { type: 'answer', text: ['Cut'], status: 'incomplete', incompleteReason: 'content_filter' });
    const connector = await connectorFor(upstream.baseUrl);
    const events = await eventsOf(await connector.chat({ ...conversation, stream: true }, options()));
    expect(events.at(-2)).toEqual({ type: 'finish', finishReason: 'length' });
    const result = await connector.chat(conversation, options());
    expect(result.type === 'response' && result.response.finishReason).toBe('content-filter');
  });

  it('throws response.failed and the error event (nested, as the live API sends it) as upstream errors', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue(
      { type: 'fail-mid-stream', how: 'response.failed', code: 'server_error', message: 'The model crashed.' },
      { type: 'fail-mid-stream', how: 'error-event', code: 'rate_limit_exceeded', message: 'Slow down.' },
    );
    const connector = await connectorFor(upstream.baseUrl);
    const failed = await eventsOf(await connector.chat({ ...conversation, stream: true }, options())).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(UpstreamError);
    expect((failed as UpstreamError).message).toBe('The model crashed.');
    expect((failed as UpstreamError).upstreamStatus).toBe(502);
    const errorEvent = await eventsOf(await connector.chat({ ...conversation, stream: true }, options())).catch((error: unknown) => error);
    expect((errorEvent as UpstreamError).upstreamError).toEqual({ message: 'Slow down.', code: 'rate_limit_exceeded', type: 'server_error' });
    expect((errorEvent as UpstreamError).upstreamStatus).toBe(429);
  });

  it('a stream that ends before response.completed is UPSTREAM_STREAM_INTERRUPTED', async () => {
    const upstream = await fakeUpstream();
    upstream.enqueue({ type: 'answer', text: ['half'], cutAfterEvents: 5 });
    const connector = await connectorFor(upstream.baseUrl);
    const error = (await eventsOf(await connector.chat({ ...conversation, stream: true }, options())).catch((thrown: unknown) => thrown)) as LlmProxyError;
    expect(error.code).toBe('UPSTREAM_STREAM_INTERRUPTED');
  });

  it('refuses stop sequences by name before calling the upstream', async () => {
    const upstream = await fakeUpstream();
    const connector = await connectorFor(upstream.baseUrl);
    const error = (await connector.chat({ ...conversation, stop: ['END'] }, options()).catch((thrown: unknown) => thrown)) as LlmProxyError;
    expect(error.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(error.message).toContain('`stop`');
    expect(upstream.requests).toHaveLength(0);
  });

  it('forwards a Responses client request with its hints and extras, which Chat Completions models refuse by name', async () => {
    const upstream = await fakeUpstream();
    const connector = await connectorFor(upstream.baseUrl);
    const parsed = parseResponsesRequest({
      model: 'gpt-5-codex',
      input: 'hi',
      store: true,
      include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
      prompt_cache_key: 'conversation-42',
      reasoning: { effort: 'xhigh', summary: 'auto' },
      text: { verbosity: 'low', format: { type: 'json_schema', name: 'answer', schema: { type: 'object' } } },
      max_tool_calls: 3,
    });
    await connector.chat({ ...parsed.request, model: 'gpt-5-codex' }, options());
    expect((await upstream.waitForRequest(0)).body).toEqual({
      model: 'gpt-5-codex',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      store: true,
      include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
      prompt_cache_key: 'conversation-42',
      reasoning: { effort: 'xhigh', summary: 'auto' },
      text: { verbosity: 'low', format: { type: 'json_schema', name: 'answer', schema: { type: 'object' } } },
      max_tool_calls: 3,
    });
    const refused = (await connector.chat({ ...parsed.request, model: 'gpt-4o-mini' }, options()).catch((error: unknown) => error)) as LlmProxyError;
    expect(refused.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(refused.message).toContain('`reasoning`, `text`, `max_tool_calls` cannot be translated from openai-responses to openai-chat');
  });

  it('a Codex-style request (store: false, prompt_cache_key) reaches a Chat Completions model without its hints', async () => {
    const chatUpstream = await startFakeOpenAIUpstream({ apiKey: API_KEY });
    cleanups.push(() => chatUpstream.close());
    const connector = await connectorFor(chatUpstream.baseUrl);
    const parsed = parseResponsesRequest({
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'session-1',
      reasoning: { effort: 'low', summary: 'auto' },
      stream: false,
    });
    const result = await connector.chat({ ...parsed.request, model: 'gpt-4o-mini' }, options());
    expect(result.type).toBe('response');
    expect(chatUpstream.requests[0]?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      reasoning_effort: 'low',
    });
  });

  it('responses_models decides which models use the Responses API', async () => {
    const chatUpstream = await startFakeOpenAIUpstream();
    cleanups.push(() => chatUpstream.close());
    const allChat = await connectorFor(chatUpstream.baseUrl, { responses_models: [] });
    await allChat.chat(conversation, options());
    expect(chatUpstream.requests[0]?.path).toBe('/v1/chat/completions');

    const upstream = await fakeUpstream();
    const custom = await connectorFor(upstream.baseUrl, { responses_models: ['gpt-4o*'] });
    await custom.chat({ ...conversation, model: 'GPT-4o-2024-08-06' }, options());
    expect(upstream.requests[0]?.path).toBe('/v1/responses');

    await expect(connectorFor(upstream.baseUrl, { responses_models: 'gpt-5*' })).rejects.toMatchObject({
      code: 'BACKEND_CONFIG_INVALID',
      message: expect.stringContaining('backends.openai.responses_models must be a list of model names'),
    });
  });

  it('rotates keys on the Responses path too', async () => {
    const upstream = await fakeUpstream();
    const connector = await connectorFor(upstream.baseUrl, {}, { OPENAI_API_KEY_1: 'sk-revoked', OPENAI_API_KEY_2: API_KEY });
    const result = await connector.chat(conversation, options());
    expect(result.type).toBe('response');
    expect(upstream.requests.map((request) => request.headers.authorization)).toEqual(['Bearer sk-revoked', `Bearer ${API_KEY}`]);
  });
});
