/**
 * The official OpenAI SDK against a minimal HTTP server wired from this area's parts only
 * (front-end parse and render, the openai connector, the upstream client), with the fake
 * OpenAI upstream behind it: proves the SDK parses what the renderers produce, streams
 * included, and that errors and aborts travel through.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { Connector } from '@llmproxy/connector-sdk';
import { collectChatStream } from '../../../src/canonical/collect-chat-stream.js';
import { replayChatResponse } from '../../../src/canonical/replay-chat-response.js';
import openai from '../../../src/connectors/openai/index.js';
import {
  parseChatCompletionRequest,
  renderChatCompletion,
  renderChatCompletionStream,
  renderOpenAIError,
} from '../../../src/protocols/openai-chat/index.js';
import { createUpstreamHttpClient, type ClosableUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import { rateLimitedReply, serverErrorReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { createRecordingLogger } from '../../support/recording-logger.js';

const UPSTREAM_KEY = 'sk-upstream-key';
let upstream: FakeOpenAIUpstream;
let http: ClosableUpstreamHttpClient;
let server: Server;
let client: OpenAI;

function startMiniProxy(connector: Connector): Promise<Server> {
  const proxy = createServer(async (request, response) => {
    const controller = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const parsed = parseChatCompletionRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const result = await connector.chat(parsed.request, { signal: controller.signal });
      if (parsed.request.stream) {
        const events = result.type === 'stream' ? result.events : replayChatResponse(result.response);
        const frames = renderChatCompletionStream(events, { includeUsage: parsed.includeUsage })[Symbol.asyncIterator]();
        const first = await frames.next(); // an error before the first frame still gets a status
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        if (first.done !== true) response.write(first.value);
        for (let next = await frames.next(); next.done !== true; next = await frames.next()) response.write(next.value);
        response.end();
        return;
      }
      const completion = result.type === 'response' ? result.response : await collectChatStream(result.events);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(renderChatCompletion(completion)));
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const rendered = renderOpenAIError(error);
      response.writeHead(rendered.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(rendered.body));
    }
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(proxy)));
}

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY });
  const logger = createRecordingLogger();
  http = createUpstreamHttpClient({ timeoutMs: 5000, logger });
  const connector = await openai.create({
    backendName: 'openai',
    logger,
    http,
    notifier: { notify() {} },
    config: {},
    env: { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.baseUrl },
  });
  server = await startMiniProxy(connector);
  client = new OpenAI({ apiKey: 'client-key', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  http.close();
  await upstream.close();
});

describe('the OpenAI SDK through the openai-chat front-end and the openai connector', () => {
  it('gets a non-streamed completion', async () => {
    upstream.enqueue({ type: 'answer', text: ['Hello', ' world'] });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello world');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
    expect(completion.system_fingerprint).toBe('fp_fake');
  });

  it('streams text and the usage chunk it asked for', async () => {
    upstream.enqueue({ type: 'answer', text: ['a', 'b', 'c'] });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('abc');
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBe(2);
  });

  it('streams parallel tool calls that the SDK stream helper assembles', async () => {
    upstream.enqueue({
      type: 'answer',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', argumentPieces: ['{"city"', ':"Paris"}'] },
        { id: 'call_b', name: 'get_time', argumentPieces: ['{"tz":"CET"}'] },
      ],
    });
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather and time?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
      ],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
    ]);
    const sent = upstream.requests.at(-1)?.body as { tools: unknown[] };
    expect(sent.tools).toHaveLength(2);
  });

  it('passes a 429 with its status and error body through to the SDK', async () => {
    upstream.enqueue(rateLimitedReply(9));
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('rate_limit_exceeded');
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('Rate limit reached');
  });

  it('passes a 500 through to a streaming SDK call', async () => {
    upstream.enqueue(serverErrorReply());
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('raises a mid-stream upstream error in the SDK', async () => {
    upstream.enqueue({
      type: 'raw-stream',
      frames: [
        'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
        'data: {"error":{"message":"The model is overloaded","type":"server_error","param":null,"code":"overloaded"}}\n\n',
      ],
    });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(received.join('')).toBe('Hi');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('The model is overloaded');
  });

  it('an SDK abort mid-stream reaches the upstream', async () => {
    upstream.enqueue({ type: 'answer', text: ['first', 'never'], stallAfterFrames: 2 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { signal: controller.signal },
    );
    const seen = upstream.requests.at(-1);
    const received: string[] = [];
    // The SDK ends the iteration quietly when its own signal aborts.
    for await (const chunk of stream) {
      received.push(chunk.choices[0]?.delta.content ?? '');
      if (chunk.choices[0]?.delta.content === 'first') controller.abort();
    }
    expect(received).toEqual(['', 'first']);
    await expect(seen?.closed).resolves.toEqual({ beforeResponseCompleted: true });
  });
});
