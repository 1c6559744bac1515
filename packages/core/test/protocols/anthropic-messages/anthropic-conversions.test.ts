import { describe, expect, it } from '@jest/globals';
import type { ChatEvent, LlmProxyError, ServerSentEvent, UpstreamError } from '@llmproxy/connector-sdk';
import { redactedThinkingSignature } from '../../../src/canonical/redacted-thinking-signature.js';
import { fromAnthropicMessage } from '../../../src/protocols/anthropic-messages/from-anthropic-message.js';
import { parseMessagesRequest } from '../../../src/protocols/anthropic-messages/parse-messages-request.js';
import { readAnthropicMessageStream } from '../../../src/protocols/anthropic-messages/read-anthropic-message-stream.js';
import { renderMessage } from '../../../src/protocols/anthropic-messages/render-message.js';
import { toAnthropicCountTokensBody, toAnthropicMessagesBody } from '../../../src/protocols/anthropic-messages/to-anthropic-messages-body.js';
import { parseChatCompletionRequest } from '../../../src/protocols/openai-chat/parse-chat-completion-request.js';

const options = { backendName: 'anthropic', defaultMaxTokens: 8192 };

function rejection(action: () => unknown): LlmProxyError {
  try {
    action();
  } catch (error) {
    return error as LlmProxyError;
  }
  throw new Error('expected an error');
}

function sse(type: string, data: object): ServerSentEvent {
  return { event: type, data: JSON.stringify({ type, ...data }) };
}

async function* eventsOf(events: ServerSentEvent[]): AsyncGenerator<ServerSentEvent> {
  yield* events;
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const collected: ChatEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

describe('Anthropic request → canonical → Anthropic request', () => {
  it('reproduces what an Anthropic client sent, cache breakpoints, thinking and extras included', () => {
    const original = {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'Long instructions.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'sig-abc' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'tool_use', id: 'toolu_01', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: 'Sunny', is_error: false },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
      ],
      tools: [{ name: 'weather', description: 'Weather now', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2048, display: 'summarized' },
      top_k: 5,
      metadata: { user_id: 'u1' },
      stop_sequences: ['STOP'],
      temperature: 1,
      stream: true,
    };
    const { request } = parseMessagesRequest(original);
    const body = toAnthropicMessagesBody(request, options);
    expect(body).toEqual({
      ...original,
      messages: [
        original.messages[0],
        original.messages[1],
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: 'Sunny' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
      ],
    });
  });

  it('sends adaptive thinking and effort back as they came', () => {
    const { request } = parseMessagesRequest({
      model: 'claude-opus-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      thinking: { type: 'adaptive' },
      output_config: { effort: 'low', format: { type: 'json_schema', schema: {} } },
    });
    const body = toAnthropicMessagesBody(request, options);
    expect(body.thinking).toEqual({ type: 'adaptive' });
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema: {} }, effort: 'low' });
  });
});

describe('OpenAI Chat request → canonical → Anthropic request', () => {
  it('moves the system prompt, merges tool answers into one user turn and sends calls as tool_use', () => {
    const { request } = parseChatCompletionRequest({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'https://example.test/a.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'no signature here',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'zoom', arguments: '{"level":2}' } },
            { id: 'call_2', type: 'function', function: { name: 'crop', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'zoomed' },
        { role: 'tool', tool_call_id: 'call_2', content: 'cropped' },
        { role: 'user', content: 'Now?' },
      ],
      tools: [{ type: 'function', function: { name: 'zoom', parameters: { type: 'object' }, strict: true } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stop: 'END',
      user: 'u-9',
      reasoning_effort: 'low',
    });
    request.model = 'claude-sonnet-4-5';
    expect(toAnthropicMessagesBody(request, options)).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image', source: { type: 'url', url: 'https://example.test/a.png' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'zoom', input: { level: 2 } },
            { type: 'tool_use', id: 'call_2', name: 'crop', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'zoomed' },
            { type: 'tool_result', tool_use_id: 'call_2', content: 'cropped' },
            { type: 'text', text: 'Now?' },
          ],
        },
      ],
      tools: [{ name: 'zoom', input_schema: { type: 'object' }, strict: true }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      metadata: { user_id: 'u-9' },
      // effort low → a 4096-token budget, on top of the default output limit.
      thinking: { type: 'enabled', budget_tokens: 4096 },
      max_tokens: 8192 + 4096,
    });
  });

  it('fits a thinking budget below the client’s own output limit, or refuses when it cannot', () => {
    const withLimit = (limit: number) =>
      parseChatCompletionRequest({ model: 'x', messages: [{ role: 'user', content: 'Hi' }], reasoning_effort: 'high', max_completion_tokens: limit }).request;
    expect(toAnthropicMessagesBody(withLimit(10000), options)).toMatchObject({ max_tokens: 10000, thinking: { type: 'enabled', budget_tokens: 5000 } });
    const error = rejection(() => toAnthropicMessagesBody(withLimit(1000), options));
    expect(error.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(error.httpStatus).toBe(400);
  });

  it('refuses OpenAI-only fields and names by name, naming the pair', () => {
    const withSeed = parseChatCompletionRequest({ model: 'x', messages: [{ role: 'user', content: 'Hi' }], seed: 7 }).request;
    const seedError = rejection(() => toAnthropicMessagesBody(withSeed, options));
    expect(seedError.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(seedError.message).toContain('`seed` cannot be translated from openai-chat to anthropic-messages (backend anthropic)');

    const named = parseChatCompletionRequest({ model: 'x', messages: [{ role: 'user', name: 'ann', content: 'Hi' }] }).request;
    expect(rejection(() => toAnthropicMessagesBody(named, options)).message).toContain('`messages[0].name`');

    const badArguments = parseChatCompletionRequest({
      model: 'x',
      messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1,2]' } }] }],
    }).request;
    expect(rejection(() => toAnthropicMessagesBody(badArguments, options)).message).toContain('`messages[0].content[0].arguments`');
  });

  it('builds a count_tokens body without generation settings', () => {
    const { request } = parseMessagesRequest({
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      temperature: 0.5,
      system: 'S',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ name: 't', input_schema: { type: 'object' } }],
    });
    expect(toAnthropicCountTokensBody(request, options)).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'S',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [{ name: 't', input_schema: { type: 'object' } }],
    });
  });
});

describe('Anthropic responses → canonical', () => {
  it('reads a message and renders it back unchanged for an Anthropic client', () => {
    const message = {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: 'Done', citations: null },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: [1, 2] } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 30, cache_creation_input_tokens: 4, cache_read_input_tokens: 100 },
    };
    const response = fromAnthropicMessage(message, 'anthropic');
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Hmm.', signature: 'sig' },
      { type: 'reasoning', text: '', redactedData: 'opaque' },
      { type: 'text', text: 'Done' },
      { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{"a":[1,2]}' },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toEqual({ inputTokens: 116, outputTokens: 30, totalTokens: 146, cachedInputTokens: 100 });
    const { citations: _citations, ...textBlock } = message.content[2] as { citations: null };
    expect(renderMessage(response)).toEqual({ ...message, content: [message.content[0], message.content[1], textBlock, message.content[3]] });
  });

  it('names the stop sequence that ended the message', () => {
    const response = fromAnthropicMessage({ id: 'm', content: [{ type: 'text', text: 'One, two' }], stop_reason: 'stop_sequence', stop_sequence: 'three' }, 'anthropic');
    expect([response.finishReason, response.stopSequence]).toEqual(['stop', 'three']);
  });

  it('refuses a block type it cannot carry', () => {
    const error = rejection(() =>
      fromAnthropicMessage({ id: 'm', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }], stop_reason: 'end_turn' }, 'anthropic'),
    );
    expect(error.code).toBe('RESPONSE_NOT_TRANSLATABLE');
  });
});

describe('readAnthropicMessageStream', () => {
  const messageStart = sse('message_start', {
    message: { id: 'msg_s', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 5 } },
  });

  it('turns thinking, text and tool_use blocks into canonical events, usage last', async () => {
    const events = await collect(
      readAnthropicMessageStream(
        eventsOf([
          messageStart,
          sse('ping', {}),
          sse('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
          sse('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Plan.' } }),
          sse('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'sig-1' } }),
          sse('content_block_stop', { index: 0 }),
          sse('content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'opaque' } }),
          sse('content_block_stop', { index: 1 }),
          sse('content_block_start', { index: 2, content_block: { type: 'text', text: '' } }),
          sse('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'Hi' } }),
          sse('content_block_stop', { index: 2 }),
          sse('content_block_start', { index: 3, content_block: { type: 'tool_use', id: 'toolu_a', name: 'f', input: {} } }),
          sse('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '' } }),
          sse('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '{"q":' } }),
          sse('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '1}' } }),
          sse('content_block_stop', { index: 3 }),
          sse('content_block_start', { index: 4, content_block: { type: 'tool_use', id: 'toolu_b', name: 'g', input: {} } }),
          sse('content_block_stop', { index: 4 }),
          sse('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42 } }),
          sse('message_stop', {}),
        ]),
        'anthropic',
      ),
    );
    expect(events).toEqual([
      {
        type: 'response-start',
        id: 'msg_s',
        model: 'claude-x',
        created: expect.any(Number),
        protocolExtras: { protocol: 'anthropic-messages', fields: { usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 5 } } },
      },
      { type: 'reasoning-delta', text: 'Plan.' },
      { type: 'reasoning-delta', text: '', signature: 'sig-1' },
      { type: 'reasoning-delta', text: '', signature: redactedThinkingSignature('opaque') },
      { type: 'text-delta', text: 'Hi' },
      { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'g' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 25, outputTokens: 42, totalTokens: 67, cachedInputTokens: 5 } },
    ]);
  });

  it('names the stop sequence that ended the stream on the finish event', async () => {
    const events = await collect(
      readAnthropicMessageStream(
        eventsOf([
          messageStart,
          sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
          sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'One, two' } }),
          sse('content_block_stop', { index: 0 }),
          sse('message_delta', { delta: { stop_reason: 'stop_sequence', stop_sequence: 'three' }, usage: { output_tokens: 4 } }),
          sse('message_stop', {}),
        ]),
        'anthropic',
      ),
    );
    expect(events.find((event) => event.type === 'finish')).toEqual({ type: 'finish', finishReason: 'stop', stopSequence: 'three' });
  });

  it('throws an in-stream error event as an upstream error with Anthropic’s type and status', async () => {
    const error = (await collect(
      readAnthropicMessageStream(eventsOf([messageStart, sse('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })]), 'anthropic'),
    ).catch((caught: unknown) => caught)) as UpstreamError;
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.upstreamStatus).toBe(529);
    expect(error.upstreamError).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
  });

  it('reports a stream that ends before message_stop', async () => {
    const error = (await collect(
      readAnthropicMessageStream(
        eventsOf([messageStart, sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })]),
        'anthropic',
      ),
    ).catch((caught: unknown) => caught)) as LlmProxyError;
    expect(error.code).toBe('UPSTREAM_STREAM_INTERRUPTED');
  });
});
