import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatResponse } from '@llmproxy/connector-sdk';
import { redactedThinkingSignature } from '../../../src/canonical/redacted-thinking-signature.js';
import { renderAnthropicError } from '../../../src/protocols/anthropic-messages/render-anthropic-error.js';
import { renderMessageStream } from '../../../src/protocols/anthropic-messages/render-message-stream.js';
import { renderMessage } from '../../../src/protocols/anthropic-messages/render-message.js';

async function* eventsOf(events: ChatEvent[], failWith?: unknown): AsyncGenerator<ChatEvent> {
  yield* events;
  if (failWith !== undefined) throw failWith;
}

interface StreamEvent {
  type: string;
  [field: string]: any;
}

/** Every SSE event of the rendered stream, checking the framing and that `event:` names the data's type. */
async function streamEventsOf(events: AsyncIterable<ChatEvent>): Promise<StreamEvent[]> {
  let text = '';
  for await (const frames of renderMessageStream(events)) text += frames;
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const match = /^event: ([a-z_]+)\ndata: (.*)$/s.exec(frame);
      if (match === null) throw new Error(`malformed frame: ${JSON.stringify(frame)}`);
      const data = JSON.parse(match[2]!) as StreamEvent;
      expect(data.type).toBe(match[1]);
      return data;
    });
}

/** The stream's content blocks as the SDK's accumulator would assemble them, checking block order rules. */
function assembleBlocks(events: StreamEvent[]): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, any>> = [];
  let open: number | undefined;
  for (const event of events) {
    if (event.type === 'content_block_start') {
      expect(open).toBeUndefined();
      expect(event.index).toBe(blocks.length);
      open = event.index;
      blocks.push({ ...event.content_block, ...(event.content_block.type === 'tool_use' ? { input: '' } : {}) });
    } else if (event.type === 'content_block_delta') {
      expect(event.index).toBe(open);
      const block = blocks[event.index]!;
      const delta = event.delta;
      if (delta.type === 'text_delta') block['text'] += delta.text;
      else if (delta.type === 'thinking_delta') block['thinking'] += delta.thinking;
      else if (delta.type === 'signature_delta') block['signature'] = delta.signature;
      else if (delta.type === 'input_json_delta') block['input'] += delta.partial_json;
      else throw new Error(`unknown delta ${delta.type}`);
    } else if (event.type === 'content_block_stop') {
      expect(event.index).toBe(open);
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
  return blocks;
}

const start: ChatEvent = { type: 'response-start', id: 'chatcmpl-9', model: 'gpt-4o', created: 1700000000 };

describe('renderMessage', () => {
  it('renders text, thinking, redacted thinking and tool calls with stop reason and usage', () => {
    const response: ChatResponse = {
      id: 'chatcmpl-1',
      model: 'gpt-4o',
      created: 1700000000,
      content: [
        { type: 'reasoning', text: 'Let me think.', signature: 'sig' },
        { type: 'reasoning', text: '', redactedData: 'opaque' },
        { type: 'reasoning', text: 'unsigned' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool-call', id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
        { type: 'tool-call', id: 'call_2', name: 'now', arguments: '' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 30 },
    };
    expect(renderMessage(response)).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'thinking', thinking: 'unsigned', signature: '' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'x' } },
        { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 70, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 30 },
    });
  });

  it('maps finish reasons, and restores an Anthropic upstream’s exact stop reason and cache writes', () => {
    const base: ChatResponse = { id: 'msg_1', model: 'm', created: 0, content: [{ type: 'text', text: 'x' }], finishReason: 'stop' };
    expect(renderMessage(base).stop_reason).toBe('end_turn');
    expect(renderMessage({ ...base, finishReason: 'length' }).stop_reason).toBe('max_tokens');
    expect(renderMessage({ ...base, finishReason: 'content-filter' }).stop_reason).toBe('refusal');
    // An upstream that says `stop` while calling tools still gets the client to run them.
    expect(renderMessage({ ...base, content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }] }).stop_reason).toBe('tool_use');
    const fromAnthropic = renderMessage({
      ...base,
      usage: { inputTokens: 40, outputTokens: 2, cachedInputTokens: 10 },
      protocolExtras: {
        protocol: 'anthropic-messages',
        fields: { stop_reason: 'stop_sequence', stop_sequence: 'END', usage: { cache_creation_input_tokens: 5 }, container: { id: 'c1' } },
      },
    });
    expect(fromAnthropic.id).toBe('msg_1');
    expect(fromAnthropic.stop_reason).toBe('stop_sequence');
    expect(fromAnthropic.stop_sequence).toBe('END');
    expect(fromAnthropic.usage).toEqual({ input_tokens: 25, output_tokens: 2, cache_creation_input_tokens: 5, cache_read_input_tokens: 10 });
    expect(fromAnthropic['container']).toEqual({ id: 'c1' });
    // A stop sequence named on the canonical response (a streamed Anthropic answer, collected).
    const collected = renderMessage({ ...base, stopSequence: 'END' });
    expect([collected.stop_reason, collected.stop_sequence]).toEqual(['stop_sequence', 'END']);
    expect(renderMessage({ ...base, finishReason: 'length', stopSequence: 'END' }).stop_sequence).toBeNull();
  });

  it('refuses tool arguments that are not JSON rather than inventing an input', () => {
    const response: ChatResponse = {
      id: 'x',
      model: 'm',
      created: 0,
      content: [{ type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"broken' }],
      finishReason: 'tool-calls',
    };
    expect(() => renderMessage(response)).toThrow(expect.objectContaining({ code: 'UPSTREAM_INVALID_RESPONSE' }) as unknown as Error);
  });
});

describe('renderMessageStream', () => {
  it('streams text in Anthropic’s exact event sequence with usage', async () => {
    const events = await streamEventsOf(
      eventsOf([
        start,
        { type: 'text-delta', text: 'Hel' },
        { type: 'text-delta', text: 'lo' },
        { type: 'finish', finishReason: 'stop' },
        { type: 'usage', usage: { inputTokens: 11, outputTokens: 7, cachedInputTokens: 3 } },
      ]),
    );
    expect(events).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_chatcmpl-9',
          type: 'message',
          role: 'assistant',
          model: 'gpt-4o',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { input_tokens: 8, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 3 },
      },
      { type: 'message_stop' },
    ]);
  });

  it('reports the stop sequence a finish event names', async () => {
    const events = await streamEventsOf(
      eventsOf([start, { type: 'text-delta', text: 'One, two' }, { type: 'finish', finishReason: 'stop', stopSequence: 'three' }]),
    );
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'three' } });
  });

  it('serialises interleaved parallel tool calls into whole, sequential blocks', async () => {
    const events = await streamEventsOf(
      eventsOf([
        start,
        { type: 'text-delta', text: 'Checking both.' },
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'weather' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'time' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{"tz":' },
        { type: 'text-delta', text: 'stray' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '"CET"' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '}' },
        { type: 'finish', finishReason: 'tool-calls' },
      ]),
    );
    expect(assembleBlocks(events)).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_a', name: 'weather', input: '{"city":"Paris"}' },
      { type: 'tool_use', id: 'call_b', name: 'time', input: '{"tz":"CET"}' },
      { type: 'text', text: 'stray' },
    ]);
    // Call b's block opens as soon as call a's JSON closes, with what it buffered, then streams live.
    const deltas = events.filter((event) => event.type === 'content_block_delta' && event.index === 2).map((event) => event.delta.partial_json);
    expect(deltas).toEqual(['{"tz":', '"CET"', '}']);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'tool_use' } });
  });

  it('streams sequential tool calls piece by piece as they arrive', async () => {
    const frames: string[] = [];
    const source: ChatEvent[] = [
      start,
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'a' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'b' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"y":2}' },
      { type: 'finish', finishReason: 'tool-calls' },
    ];
    for await (const frame of renderMessageStream(eventsOf(source))) frames.push(frame);
    // One write per canonical event: nothing waits for a later event.
    expect(frames).toHaveLength(source.length + 1);
    expect(frames[2]).toContain('"partial_json":"{\\"x\\":"');
    expect(frames[4]).toContain('content_block_stop');
    expect(frames[4]).toContain('"name":"b"');
  });

  it('streams thinking with its signature, then starts a new block for the next thinking', async () => {
    const events = await streamEventsOf(
      eventsOf([
        start,
        { type: 'reasoning-delta', text: 'First ' },
        { type: 'reasoning-delta', text: 'thought.' },
        { type: 'reasoning-delta', text: '', signature: 'sig-1' },
        { type: 'reasoning-delta', text: '', signature: redactedThinkingSignature('hidden') },
        { type: 'reasoning-delta', text: 'Second.' },
        { type: 'text-delta', text: 'Answer.' },
        { type: 'finish', finishReason: 'stop' },
      ]),
    );
    expect(assembleBlocks(events)).toEqual([
      { type: 'thinking', thinking: 'First thought.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'hidden' },
      { type: 'thinking', thinking: 'Second.', signature: '' },
      { type: 'text', text: 'Answer.' },
    ]);
  });

  it('sends an error after the stream began as an Anthropic error event, and ends', async () => {
    const overloaded = new UpstreamError({ backend: 'anthropic', status: 529, error: { message: 'Overloaded', type: 'overloaded_error' } });
    const events = await streamEventsOf(eventsOf([start, { type: 'text-delta', text: 'partial' }], overloaded));
    expect(events.map((event) => event.type)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'error']);
    expect(events.at(-1)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('rethrows an error before the first frame, so the route can answer with its status', async () => {
    const failure = new LlmProxyError({ code: 'BACKEND_CREDENTIALS_MISSING', message: 'no key', httpStatus: 401 });
    await expect(streamEventsOf(eventsOf([], failure))).rejects.toBe(failure);
  });
});

describe('renderAnthropicError', () => {
  it('keeps an upstream’s status and message, and its type when it is an Anthropic type', () => {
    const fromOpenAI = new UpstreamError({ backend: 'openai', status: 429, error: { message: 'Rate limit reached', type: 'requests' } });
    expect(renderAnthropicError(fromOpenAI)).toEqual({ status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached' } } });
    const internal = renderAnthropicError(new Error('secret detail'));
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal.body)).not.toContain('secret');
  });
});
