/**
 * The official Anthropic SDK (and the OpenAI SDK for the reverse pair) against a real HTTP server
 * built from the chat route, the Anthropic Messages front-end and real connectors, with fake
 * OpenAI and Anthropic upstreams speaking their real wire formats behind it. Streams are consumed
 * by the SDKs' own stream parsers: if they cannot parse what the proxy sends, these tests fail.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { openResponse, readUntil } from '../../server/support/http-exchange.js';
import { anthropicOverloadedReply, startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../../support/fake-anthropic-upstream.js';
import { rateLimitedReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { ANTHROPIC_UPSTREAM_KEY, OPENAI_UPSTREAM_KEY, startTranslatingProxy, type TranslatingProxy } from './translating-proxy.js';

let openaiUpstream: FakeOpenAIUpstream;
let anthropicUpstream: FakeAnthropicUpstream;
let proxy: TranslatingProxy;
let claude: Anthropic;

beforeAll(async () => {
  openaiUpstream = await startFakeOpenAIUpstream({ apiKey: OPENAI_UPSTREAM_KEY });
  anthropicUpstream = await startFakeAnthropicUpstream({ apiKeys: [ANTHROPIC_UPSTREAM_KEY] });
  proxy = await startTranslatingProxy({ openai: openaiUpstream, anthropic: anthropicUpstream });
  claude = new Anthropic({ apiKey: 'client-key', baseURL: proxy.url, maxRetries: 0 });
});

afterAll(async () => {
  await proxy.close();
  await openaiUpstream.close();
  await anthropicUpstream.close();
});

const weatherTools: Anthropic.Tool[] = [
  { name: 'weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'time', description: 'Current time', input_schema: { type: 'object', properties: { tz: { type: 'string' } } } },
];

function chunk(delta: object, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
}

describe('Anthropic SDK → Anthropic front-end → openai backend', () => {
  it('gets a message, with the request translated to Chat Completions', async () => {
    openaiUpstream.enqueue({ type: 'answer', text: ['Hello', ' world'] });
    const message = await claude.messages.create({
      model: 'gpt-4o',
      max_tokens: 300,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.type).toBe('message');
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello world' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toEqual({ input_tokens: 8, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 3 });
    const sent = openaiUpstream.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_UPSTREAM_KEY}`);
    expect(sent.body).toMatchObject({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 300,
    });
  });

  it('streams text through the SDK’s stream helper, under the /anthropic prefix too', async () => {
    openaiUpstream.enqueue({ type: 'answer', text: ['a', 'b', 'c'] });
    const prefixed = new Anthropic({ apiKey: 'client-key', baseURL: `${proxy.url}/anthropic`, maxRetries: 0 });
    const texts: string[] = [];
    const stream = prefixed.messages.stream({ model: 'openai:gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts).toEqual(['a', 'b', 'c']);
    expect(message.content).toEqual([{ type: 'text', text: 'abc' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(7);
    expect(message.usage.input_tokens).toBe(8);
  });

  it('assembles parallel tool calls whose argument pieces the upstream interleaved', async () => {
    openaiUpstream.enqueue({
      type: 'raw-stream',
      frames: [
        chunk({ role: 'assistant', content: null }),
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '{"tz":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '"CET"}' } }] }),
        chunk({}, 'tool_calls'),
        'data: [DONE]\n\n',
      ],
    });
    const inputs: string[] = [];
    const stream = claude.messages.stream({ model: 'gpt-4o', max_tokens: 100, tools: weatherTools, messages: [{ role: 'user', content: 'Weather and time in Paris?' }] });
    stream.on('inputJson', (partial) => inputs.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_b', name: 'time', input: { tz: 'CET' } },
    ]);
    expect(inputs.join('')).toBe('{"city":"Paris"}{"tz":"CET"}');
    const sent = openaiUpstream.requests.at(-1)!.body as { tools: Array<{ function: { name: string; parameters: unknown } }> };
    expect(sent.tools.map((tool) => tool.function.name)).toEqual(['weather', 'time']);
  });

  it('sends the tool results of the next turn back as OpenAI tool messages, ids preserved', async () => {
    openaiUpstream.enqueue({ type: 'answer', text: ['Sunny, 14:00.'] });
    const message = await claude.messages.create({
      model: 'gpt-4o',
      max_tokens: 100,
      tools: weatherTools,
      messages: [
        { role: 'user', content: 'Weather and time in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_a', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_b', name: 'time', input: { tz: 'CET' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_a', content: 'Sunny' },
            { type: 'tool_result', tool_use_id: 'call_b', content: [{ type: 'text', text: '14:00' }], is_error: false },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Sunny, 14:00.' }]);
    expect((openaiUpstream.requests.at(-1)!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{"tz":"CET"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'Sunny' },
      { role: 'tool', tool_call_id: 'call_b', content: '14:00' },
    ]);
  });

  it('streams upstream reasoning as a thinking block and a length stop as max_tokens', async () => {
    openaiUpstream.enqueue({ type: 'answer', reasoning: ['Let me ', 'think.'], text: ['Partial'], finishReason: 'length' });
    const thoughts: string[] = [];
    const stream = claude.messages.stream({
      model: 'gpt-4o',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    stream.on('thinking', (delta) => thoughts.push(delta));
    const message = await stream.finalMessage();
    expect(thoughts).toEqual(['Let me ', 'think.']);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: 'Partial' },
    ]);
    expect(message.stop_reason).toBe('max_tokens');
    // budget 1024 → the effort OpenAI understands.
    expect((openaiUpstream.requests.at(-1)!.body as { reasoning_effort?: string }).reasoning_effort).toBe('minimal');
  });

  it('answers an upstream 429 with Anthropic’s error body and the retry-after header', async () => {
    openaiUpstream.enqueue(rateLimitedReply(9));
    const error = await claude.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.type).toBe('rate_limit_error');
    expect(apiError.error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('Rate limit reached') } });
    expect(apiError.headers?.get('retry-after')).toBe('9');
  });

  it('answers a request the Anthropic API would refuse with its 400 error shape', async () => {
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required.' } });
  });

  it('raises a mid-stream upstream failure in the SDK as an API error', async () => {
    openaiUpstream.enqueue({
      type: 'raw-stream',
      frames: [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' }), 'data: {"error":{"message":"The model is overloaded","type":"server_error"}}\n\n'],
    });
    const stream = await claude.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).message).toContain('The model is overloaded');
  });

  it('delivers the first translated event before the upstream has finished', async () => {
    openaiUpstream.enqueue({ type: 'answer', text: ['first', 'never sent'], stallAfterFrames: 2 });
    const stream = await claude.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const upstreamRequest = openaiUpstream.requests.at(-1)!;
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        expect(event.delta.text).toBe('first');
        // The upstream has sent two frames and is still holding its stream open.
        expect(upstreamRequest.framesSent).toBe(2);
        break;
      }
    }
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    // Leaving the stream aborts the upstream request.
    await expect(upstreamRequest.closed).resolves.toEqual({ beforeResponseCompleted: true });
  });

  it('frames the stream exactly as Anthropic does on the wire', async () => {
    openaiUpstream.enqueue({ type: 'answer', text: ['x'] });
    const response = await openResponse(proxy.url, {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const text = await readUntil(response, (soFar) => soFar.includes('event: message_stop\n'));
    expect(text.startsWith('event: message_start\ndata: {"type":"message_start","message":{')).toBe(true);
    expect(text.match(/^event: [a-z_]+$/gm)).toEqual([
      'event: message_start',
      'event: content_block_start',
      'event: content_block_delta',
      'event: content_block_stop',
      'event: message_delta',
      'event: message_stop',
    ]);
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    response.destroy();
  });

  it('estimates input tokens for a backend that cannot count them, and says so', async () => {
    const response = await fetch(`${proxy.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(70) }] }),
    });
    expect(response.headers.get('x-llmproxy-token-count')).toBe('estimate');
    // 70 characters / 3.5 + 3 tokens of message framing.
    expect(await response.json()).toEqual({ input_tokens: 23 });
    const counted = await claude.messages.countTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});

describe('Anthropic SDK → Anthropic front-end → anthropic backend', () => {
  it('streams thinking with its signature and tool_use with its input, and sends them back', async () => {
    anthropicUpstream.enqueue({
      type: 'answer',
      blocks: [
        { type: 'thinking', pieces: ['Need ', 'weather.'], signature: 'EqQBCkYIBxgCKkD' },
        { type: 'tool_use', id: 'toolu_01', name: 'weather', inputPieces: ['{"ci', 'ty": "Paris"}'] },
      ],
      usage: { input_tokens: 50, output_tokens: 30, cache_creation_input_tokens: 20, cache_read_input_tokens: 100 },
    });
    const stream = claude.messages.stream({
      model: 'anthropic:claude-sonnet-4-5',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      tools: weatherTools,
      system: [{ type: 'text', text: 'System.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Weather?' }],
    });
    const message = await stream.finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Need weather.', signature: 'EqQBCkYIBxgCKkD' },
      { type: 'tool_use', id: 'toolu_01', name: 'weather', input: { city: 'Paris' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toEqual({ input_tokens: 50, output_tokens: 30, cache_creation_input_tokens: 20, cache_read_input_tokens: 100 });
    expect(message.id).toBe('msg_fake0002');
    const sent = anthropicUpstream.requests.at(-1)!;
    expect(sent.headers['x-api-key']).toBe(ANTHROPIC_UPSTREAM_KEY);
    expect(sent.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      thinking: { type: 'enabled', budget_tokens: 2000 },
      system: [{ type: 'text', text: 'System.', cache_control: { type: 'ephemeral' } }],
      stream: true,
    });

    anthropicUpstream.enqueue({ type: 'answer', blocks: [{ type: 'text', pieces: ['Sunny.'] }] });
    const next = await claude.messages.create({
      model: 'anthropic:claude-sonnet-4-5',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      tools: weatherTools,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'Sunny' }] },
      ],
    });
    expect(next.content).toEqual([{ type: 'text', text: 'Sunny.' }]);
    expect((anthropicUpstream.requests.at(-1)!.body as { messages: unknown[] }).messages[1]).toEqual({ role: 'assistant', content: message.content });
  });

  it('passes an overloaded upstream through as a 529 overloaded_error', async () => {
    anthropicUpstream.enqueue(anthropicOverloadedReply());
    const error = await claude.messages
      .create({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
  });

  it('sends an upstream error event mid-stream on to the SDK', async () => {
    anthropicUpstream.enqueue({ type: 'answer', blocks: [{ type: 'text', pieces: ['a', 'b'] }], failAfterEvents: { events: 4, errorType: 'overloaded_error', message: 'Overloaded' } });
    const stream = claude.messages.stream({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
  });

  it('counts tokens with the upstream', async () => {
    anthropicUpstream.countTokensAnswer = 321;
    const response = await fetch(`${proxy.url}/anthropic/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic:claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.headers.get('x-llmproxy-token-count')).toBe('upstream');
    expect(await response.json()).toEqual({ input_tokens: 321 });
  });
});

describe('model lists', () => {
  it('lists every backend’s models in Anthropic’s format for Anthropic clients, and OpenAI’s for others', async () => {
    const ids: string[] = [];
    for await (const model of claude.models.list()) ids.push(model.id);
    expect(ids).toEqual(['openai:gpt-4o-mini', 'openai:gpt-4o', 'anthropic:claude-sonnet-4-5', 'anthropic:claude-haiku-4-5']);
    const prefixed = await (await fetch(`${proxy.url}/anthropic/v1/models`)).json();
    expect(prefixed).toMatchObject({ has_more: false, first_id: 'openai:gpt-4o-mini', last_id: 'anthropic:claude-haiku-4-5' });
    expect((prefixed as { data: unknown[] }).data[2]).toEqual({
      type: 'model',
      id: 'anthropic:claude-sonnet-4-5',
      display_name: 'anthropic:claude-sonnet-4-5',
      created_at: '2025-01-01T00:00:00.000Z',
    });
    const openai = new OpenAI({ apiKey: 'client-key', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    const openaiIds: string[] = [];
    for await (const model of openai.models.list()) openaiIds.push(model.id);
    expect(openaiIds).toEqual(ids);
  });
});

describe('OpenAI SDK → OpenAI Chat front-end → anthropic backend', () => {
  const openai = (): OpenAI => new OpenAI({ apiKey: 'client-key', baseURL: `${proxy.url}/v1`, maxRetries: 0 });

  it('streams Anthropic tool_use blocks as OpenAI tool calls the SDK assembles', async () => {
    anthropicUpstream.enqueue({
      type: 'answer',
      blocks: [
        { type: 'text', pieces: ['Checking.'] },
        { type: 'tool_use', id: 'toolu_a', name: 'weather', inputPieces: ['{"city"', ':"Paris"}'] },
        { type: 'tool_use', id: 'toolu_b', name: 'time', inputPieces: ['{"tz":"CET"}'] },
      ],
    });
    const runner = openai().chat.completions.stream({
      model: 'anthropic:claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather and time?' },
      ],
      tools: weatherTools.map((tool) => ({ type: 'function' as const, function: { name: tool.name, parameters: tool.input_schema as Record<string, unknown> } })),
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.content).toBe('Checking.');
    expect(final.choices[0]?.message.tool_calls).toEqual([
      { id: 'toolu_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
      { id: 'toolu_b', type: 'function', function: { name: 'time', arguments: '{"tz":"CET"}' } },
    ]);
    expect(final.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 10 } });
    expect(anthropicUpstream.requests.at(-1)!.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      max_tokens: 8192,
      tools: [
        { name: 'weather', input_schema: weatherTools[0]!.input_schema },
        { name: 'time', input_schema: weatherTools[1]!.input_schema },
      ],
      stream: true,
    });
  });

  it('turns reasoning effort into a thinking budget and thinking into reasoning_content', async () => {
    anthropicUpstream.enqueue({ type: 'answer', blocks: [{ type: 'thinking', pieces: ['Hmm.'], signature: 'sig' }, { type: 'text', pieces: ['42'] }] });
    const completion = await openai().chat.completions.create({
      model: 'anthropic:claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Answer?' }],
      reasoning_effort: 'medium',
    });
    expect(completion.choices[0]?.message.content).toBe('42');
    expect((completion.choices[0]?.message as unknown as { reasoning_content?: string }).reasoning_content).toBe('Hmm.');
    expect(anthropicUpstream.requests.at(-1)!.body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 16384 }, max_tokens: 8192 + 16384 });
  });

  it('refuses an OpenAI-only parameter by name instead of dropping it', async () => {
    const error = await openai()
      .chat.completions.create({ model: 'anthropic:claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], seed: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('`seed` cannot be translated from openai-chat to anthropic-messages');
  });
});
