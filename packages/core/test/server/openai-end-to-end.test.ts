/**
 * The server with the real built-in openai connector, the real upstream HTTP client and a fake
 * OpenAI upstream on 127.0.0.1, driven by the official OpenAI SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import openaiConnector from '../../src/connectors/openai/index.js';
import { createUpstreamHttpClient, type ClosableUpstreamHttpClient } from '../../src/upstream/create-upstream-http-client.js';
import { rateLimitedReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { createRecordingLogger } from './support/recording-logger.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { TEST_API_KEY, testSettings } from './support/test-settings.js';

const UPSTREAM_KEY = 'sk-upstream-secret-key';

describe('proxying to an OpenAI upstream', () => {
  let upstream: FakeOpenAIUpstream;
  let http: ClosableUpstreamHttpClient;
  let proxy: TestProxy;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY, models: ['gpt-4o-mini'] });
    http = createUpstreamHttpClient({ timeoutMs: 10_000, logger: createRecordingLogger() });
    proxy = await startTestProxy({
      settings: testSettings({ defaultBackend: 'openai' }),
      backends: [
        {
          name: 'openai',
          definition: openaiConnector,
          http,
          env: { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.baseUrl },
        },
      ],
    });
    client = new OpenAI({ apiKey: TEST_API_KEY, baseURL: `${proxy.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await proxy.close();
    http.close();
    await upstream.close();
  });

  it('answers a chat completion with the overhead header set', async () => {
    upstream.enqueue({ type: 'answer', text: ['Hello', ' world'] });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello world');
    expect(response.headers.get('x-llmproxy-overhead-ms')).toMatch(/^\d+\.\d{3}$/);
    const seen = upstream.requests.at(-1);
    expect(seen?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it('streams each upstream chunk through', async () => {
    upstream.enqueue({ type: 'answer', text: ['one', 'two', 'three'], chunkDelayMs: 20 });
    const stream = await client.chat.completions.create({
      model: 'openai:gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) pieces.push(content);
    }
    expect(pieces).toEqual(['one', 'two', 'three']);
  });

  it('streams a JSON answer from a server that ignored stream: true', async () => {
    upstream.enqueue({ type: 'answer', text: ['whole'], ignoreStream: true });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).filter((content) => content)).toEqual(['whole']);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason)).toEqual(['stop']);
  });

  it('cancels the upstream request when the client aborts mid-stream', async () => {
    upstream.enqueue({ type: 'answer', text: ['first', 'never'], stallAfterFrames: 2 });
    const requestIndex = upstream.requests.length;
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'abort me' }],
      stream: true,
    });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content === 'first') break;
    }
    const seen = await upstream.waitForRequest(requestIndex);
    expect(await seen.closed).toEqual({ beforeResponseCompleted: true });
  });

  it('passes an upstream 429 through with its retry-after', async () => {
    upstream.enqueue(rateLimitedReply(11));
    const failure = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = failure as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.headers.get('retry-after')).toBe('11');
    expect(rateLimited.message).toContain('Rate limit reached');
  });

  it('lists the upstream models with the backend prefix', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['openai:gpt-4o-mini']);
  });

  it('never logs the client key or the upstream key', () => {
    const logs = JSON.stringify(proxy.logger.entries);
    expect(logs).not.toContain(TEST_API_KEY);
    expect(logs).not.toContain(UPSTREAM_KEY);
  });
});
