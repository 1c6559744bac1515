/**
 * @fileoverview The whole path a user takes: the official `openai` SDK → the real `llm-proxy`
 * CLI (a child process started from dist/) → the built-in `openai` connector → a fake OpenAI
 * upstream on 127.0.0.1 that speaks the real wire format.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import {
  rateLimitedReply,
  serverErrorReply,
  startFakeOpenAIUpstream,
  type FakeOpenAIUpstream,
} from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-e2e-tests';
const UPSTREAM_KEY = 'sk-upstream-key-for-e2e-tests';

describe('OpenAI SDK through the llm-proxy CLI', () => {
  let upstream: FakeOpenAIUpstream;
  let proxy: RunningCli;
  let client: OpenAI;

  beforeAll(async () => {
    assertCliBuilt();
    upstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY, models: ['gpt-4o-mini'] });
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.baseUrl },
    });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    await upstream.close();
    cleanUpCliRuns();
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stdout + stopped.stderr).not.toContain(UPSTREAM_KEY);
  });

  it('answers a chat completion as the upstream would', async () => {
    upstream.enqueue({ type: 'answer', text: ['The answer', ' is 42.'], model: 'gpt-4o-mini-2024-07-18' });
    const completion = await client.chat.completions.create({
      model: 'openai:gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is the answer?' },
      ],
      temperature: 0.2,
    });
    expect(completion.choices[0]?.message.content).toBe('The answer is 42.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    expect(completion.usage?.total_tokens).toBe(18);

    const sent = upstream.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(sent.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is the answer?' },
      ],
    });
  });

  it('uses the default backend for a model without a backend prefix', async () => {
    upstream.enqueue({ type: 'answer', text: ['default route'] });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('default route');
    expect(upstream.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('delivers each streamed chunk before the upstream sends the next', async () => {
    const pieces = ['one', ' two', ' three', ' four'];
    upstream.enqueue({ type: 'answer', text: pieces, chunkDelayMs: 300 });
    const stream = await client.chat.completions.create({
      model: 'openai:gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    const upstreamRequest = await upstream.waitForRequest(upstream.requests.length - 1);
    const received: string[] = [];
    const upstreamFramesAtArrival: number[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        received.push(content);
        upstreamFramesAtArrival.push(upstreamRequest.framesSent);
      }
    }
    expect(received).toEqual(pieces);
    // Each piece reached the client while the upstream had sent only the frames up to it.
    const totalFrames = upstreamRequest.framesSent;
    expect(upstreamFramesAtArrival[0]).toBeLessThan(totalFrames);
    for (let index = 1; index < upstreamFramesAtArrival.length; index++) {
      expect(upstreamFramesAtArrival[index]).toBeGreaterThan(upstreamFramesAtArrival[index - 1]!);
    }
  });

  it('streams parallel tool calls whose arguments arrive in pieces', async () => {
    upstream.enqueue({
      type: 'answer',
      toolCalls: [
        { id: 'call_weather_paris', name: 'get_weather', argumentPieces: ['{"ci', 'ty":"Pa', 'ris"}'] },
        { id: 'call_weather_rome', name: 'get_weather', argumentPieces: ['{"city":', '"Rome"}'] },
      ],
    });
    const runner = client.chat.completions.stream({
      model: 'openai:gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
    });
    const completion = await runner.finalChatCompletion();
    const message = completion.choices[0]?.message;
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.tool_calls?.map((call) => (call.type === 'function' ? [call.id, call.function.name, call.function.arguments] : []))).toEqual([
      ['call_weather_paris', 'get_weather', '{"city":"Paris"}'],
      ['call_weather_rome', 'get_weather', '{"city":"Rome"}'],
    ]);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }] });
  });

  it('passes an upstream 429 through with its status, message and retry-after', async () => {
    upstream.enqueue(rateLimitedReply(9));
    const failure = await client.chat.completions
      .create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
    const error = failure as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.status).toBe(429);
    expect(error.message).toContain('Rate limit reached for gpt-4o-mini');
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.headers?.get('retry-after')).toBe('9');
  });

  it('passes an upstream 500 through', async () => {
    upstream.enqueue(serverErrorReply());
    const failure = await client.chat.completions
      .create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failure as InstanceType<typeof OpenAI.InternalServerError>).message).toContain('The server had an error');
  });

  it('cancels the upstream request when the client aborts mid-stream', async () => {
    upstream.enqueue({ type: 'answer', text: ['first', ' second', ' third'], stallAfterFrames: 2 });
    const abort = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'go' }], stream: true },
      { signal: abort.signal },
    );
    const upstreamRequest = await upstream.waitForRequest(upstream.requests.length - 1);
    const received: string[] = [];
    try {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) {
          received.push(content);
          abort.abort();
        }
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/);
    }
    expect(received).toEqual(['first']);
    await expect(upstreamRequest.closed).resolves.toEqual({ beforeResponseCompleted: true });
  });

  it('refuses a request without the client key in OpenAI error format', async () => {
    const anonymous = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'not-the-key', maxRetries: 0 });
    const failure = await anonymous.chat.completions
      .create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('answers an unknown backend with 404 Backend not found, listing the backends', async () => {
    const failure = await client.chat.completions
      .create({ model: 'nosuch:model', messages: [{ role: 'user', content: 'hi' }] })
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    const message = (failure as Error).message;
    expect(message).toMatch(/Backend not found/);
    expect(message).toContain('openai');
  });

  it('lists models as backend:model', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('openai:gpt-4o-mini');
  });
});
