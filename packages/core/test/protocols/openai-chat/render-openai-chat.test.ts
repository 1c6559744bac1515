import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatResponse } from '@llmproxy/connector-sdk';
import { renderChatCompletionStream } from '../../../src/protocols/openai-chat/render-chat-completion-stream.js';
import { renderChatCompletion } from '../../../src/protocols/openai-chat/render-chat-completion.js';
import { renderOpenAIError } from '../../../src/protocols/openai-chat/render-openai-error.js';

async function* eventsOf(events: ChatEvent[], failWith?: unknown): AsyncGenerator<ChatEvent> {
  yield* events;
  if (failWith !== undefined) throw failWith;
}

async function framesOf(frames: AsyncIterable<string>): Promise<string[]> {
  const collected: string[] = [];
  for await (const frame of frames) collected.push(frame);
  return collected;
}

/** The JSON payload of each `data:` frame (`[DONE]` kept as the string). */
function payloads(frames: string[]): unknown[] {
  return frames.map((frame) => {
    expect(frame.startsWith('data: ')).toBe(true);
    expect(frame.endsWith('\n\n')).toBe(true);
    const data = frame.slice(6, -2);
    return data === '[DONE]' ? data : JSON.parse(data);
  });
}

const start: ChatEvent = {
  type: 'response-start',
  id: 'chatcmpl-1',
  model: 'gpt-4o',
  created: 1700000000,
  protocolExtras: { protocol: 'openai-chat', fields: { system_fingerprint: 'fp_1' } },
};
const header = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o', system_fingerprint: 'fp_1' };
const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15, cachedInputTokens: 4, reasoningTokens: 1 };

describe('renderChatCompletion', () => {
  it('renders text, reasoning, tool calls, usage and OpenAI extras', () => {
    const response: ChatResponse = {
      id: 'chatcmpl-1',
      model: 'gpt-4o',
      created: 1700000000,
      content: [
        { type: 'reasoning', text: 'hmm' },
        { type: 'text', text: 'Let me ' },
        { type: 'text', text: 'check.' },
        { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
      ],
      finishReason: 'tool-calls',
      usage,
      protocolExtras: { protocol: 'openai-chat', fields: { system_fingerprint: 'fp_1', message: { annotations: [] } } },
    };
    expect(renderChatCompletion(response)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o',
      system_fingerprint: 'fp_1',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            refusal: null,
            reasoning_content: 'hmm',
            annotations: [],
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 1 },
      },
    });
  });

  it('gives null content for tool calls alone and ignores extras of other protocols', () => {
    const rendered = renderChatCompletion({
      id: 'msg_1',
      model: 'claude',
      created: 1,
      content: [{ type: 'tool-call', id: 't', name: 'f', arguments: '{}' }],
      finishReason: 'tool-calls',
      protocolExtras: { protocol: 'anthropic-messages', fields: { stop_sequence: null, container: 'x' } },
    });
    expect(rendered.choices[0]?.message.content).toBeNull();
    expect(rendered).not.toHaveProperty('container');
    expect(rendered).not.toHaveProperty('usage');
  });
});

describe('renderChatCompletionStream', () => {
  it('renders the OpenAI chunk sequence with parallel tool calls, and usage only when asked', async () => {
    const events: ChatEvent[] = [
      start,
      { type: 'reasoning-delta', text: 'hmm' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'a' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'b' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x"' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ':1}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage },
    ];
    const delta = (value: object): object => ({ ...header, choices: [{ index: 0, delta: value, logprobs: null, finish_reason: null }] });
    const expected = [
      delta({ role: 'assistant', content: '' }),
      delta({ reasoning_content: 'hmm' }),
      delta({ content: 'Hi' }),
      delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"x"' } }] }),
      delta({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      { ...header, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] },
      '[DONE]',
    ];
    expect(payloads(await framesOf(renderChatCompletionStream(eventsOf(events))))).toEqual(expected);

    const withUsage = payloads(await framesOf(renderChatCompletionStream(eventsOf(events), { includeUsage: true })));
    expect(withUsage[0]).toEqual({ ...(expected[0] as object), usage: null });
    expect(withUsage.at(-2)).toEqual({
      ...header,
      choices: [],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 1 },
      },
    });
    expect(withUsage.at(-1)).toBe('[DONE]');
  });

  it('yields each frame as its event arrives', async () => {
    let secondEventRequested = false;
    async function* slow(): AsyncGenerator<ChatEvent> {
      yield start;
      yield { type: 'text-delta', text: 'first' };
      secondEventRequested = true;
      yield { type: 'finish', finishReason: 'stop' };
    }
    const iterator = renderChatCompletionStream(slow());
    await iterator.next(); // role chunk
    expect((await iterator.next()).value).toContain('"content":"first"');
    expect(secondEventRequested).toBe(false);
    await iterator.return(undefined);
  });

  it('ends a stream that fails after it began with an OpenAI error frame and no [DONE]', async () => {
    const failure = new UpstreamError({
      backend: 'openai',
      status: 502,
      error: { message: 'The model is overloaded', type: 'server_error', code: 'overloaded', param: null },
    });
    const frames = payloads(await framesOf(renderChatCompletionStream(eventsOf([start, { type: 'text-delta', text: 'Hi' }], failure))));
    expect(frames.at(-1)).toEqual({ error: { message: 'The model is overloaded', type: 'server_error', param: null, code: 'overloaded' } });
    expect(frames).not.toContain('[DONE]');
  });

  it('rethrows a failure before the first frame, so the caller can still send an HTTP error', async () => {
    const failure = new LlmProxyError({ code: 'UPSTREAM_TIMEOUT', message: 'slow', httpStatus: 504 });
    await expect(framesOf(renderChatCompletionStream(eventsOf([], failure)))).rejects.toBe(failure);
  });
});

describe('renderOpenAIError', () => {
  it('keeps an upstream error status and body', () => {
    const error = new UpstreamError({
      backend: 'openai',
      status: 429,
      error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null },
      headers: { 'retry-after': '3' },
    });
    expect(renderOpenAIError(error)).toEqual({
      status: 429,
      body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
    });
  });

  it('fills in the type of an upstream error body that had none', () => {
    const error = new UpstreamError({ backend: 'local', status: 404, error: { message: 'model "x" not found' } });
    expect(renderOpenAIError(error).body.error).toEqual({ message: 'model "x" not found', type: 'not_found_error', param: null, code: null });
  });

  it('renders an llmproxy error with its status, full message, code and param', () => {
    const error = new LlmProxyError({
      code: 'CHAT_REQUEST_INVALID',
      message: "Missing required parameter: 'messages'",
      httpStatus: 400,
      details: { param: 'messages' },
    });
    expect(renderOpenAIError(error)).toEqual({
      status: 400,
      body: { error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'CHAT_REQUEST_INVALID' } },
    });
  });

  it('hides the details of an unexpected error', () => {
    const rendered = renderOpenAIError(new TypeError('cannot read properties of undefined (secret internals)'));
    expect(rendered.status).toBe(500);
    expect(JSON.stringify(rendered.body)).not.toContain('secret internals');
    expect(rendered.body.error.type).toBe('server_error');
  });
});
