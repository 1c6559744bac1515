import { describe, expect, it } from '@jest/globals';
import type { LlmProxyError } from '@llmproxy/connector-sdk';
import { parseChatCompletionRequest } from '../../../src/protocols/openai-chat/parse-chat-completion-request.js';

function rejection(body: unknown): LlmProxyError {
  try {
    parseChatCompletionRequest(body);
  } catch (error) {
    return error as LlmProxyError;
  }
  throw new Error('expected the request to be rejected');
}

describe('parseChatCompletionRequest', () => {
  it('maps every modelled field to the canonical request and keeps the rest as openai-chat extras', () => {
    const parsed = parseChatCompletionRequest({
      model: 'openai:gpt-4o',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'system', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], name: 'sys' },
        {
          role: 'user',
          name: 'ann',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.test/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          refusal: null,
          reasoning_content: 'thinking',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q":1}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      ],
      tools: [
        { type: 'function', function: { name: 'look', description: 'Looks', parameters: { type: 'object' }, strict: true } },
        { type: 'function', function: { name: 'noop' } },
      ],
      tool_choice: { type: 'function', function: { name: 'look' } },
      parallel_tool_calls: false,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      stop: 'END',
      reasoning_effort: 'high',
      user: 'user-7',
      n: 1,
      logprobs: false,
      seed: 42,
      response_format: { type: 'json_object' },
      metadata: null,
    });
    expect(parsed.model).toBe('openai:gpt-4o');
    expect(parsed.includeUsage).toBe(true);
    expect(parsed.request).toEqual({
      model: 'openai:gpt-4o',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'system', name: 'sys', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
        {
          role: 'user',
          name: 'ann',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'url', url: 'https://example.test/cat.png', detail: 'low' } },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thinking' },
            { type: 'tool-call', id: 'call_1', name: 'look', arguments: '{"q":1}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: 'a cat' }] }] },
      ],
      tools: [
        { name: 'look', description: 'Looks', parameters: { type: 'object' }, strict: true },
        { name: 'noop', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { name: 'look' },
      parallelToolCalls: false,
      stream: true,
      maxOutputTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      stop: ['END'],
      reasoning: { effort: 'high' },
      user: 'user-7',
      protocolExtras: { protocol: 'openai-chat', fields: { seed: 42, response_format: { type: 'json_object' } } },
    });
  });

  it('prefers max_completion_tokens, keeps unknown reasoning levels and other stream options as extras', () => {
    const { request, includeUsage } = parseChatCompletionRequest({
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 10,
      max_completion_tokens: 20,
      reasoning_effort: 'none',
      stream: true,
      stream_options: { include_obfuscation: false },
    });
    expect(request.model).toBe('');
    expect(request.maxOutputTokens).toBe(20);
    expect(request.reasoning).toBeUndefined();
    expect(includeUsage).toBe(false);
    expect(request.protocolExtras?.fields).toEqual({ reasoning_effort: 'none', stream_options: { include_obfuscation: false } });
  });

  it.each([
    [[], undefined, 'The request body must be a JSON object'],
    [{ model: 'x' }, 'messages', "Missing required parameter: 'messages'"],
    [{ messages: 'hi' }, 'messages', "Invalid type for 'messages': expected an array, but got a string"],
    [{ messages: [] }, 'messages', "Invalid 'messages': empty array"],
    [{ model: 5, messages: [{ role: 'user', content: 'x' }] }, 'model', "Invalid type for 'model'"],
    [{ messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', `Invalid value for 'messages[0].role': "robot"`],
    [{ messages: [{ content: 'x' }] }, 'messages[0].role', "Missing required parameter: 'messages[0].role'"],
    [{ messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, 'messages[0].content[0].type', "Invalid value for 'messages[0].content[0].type'"],
    [{ messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text', "Missing required parameter: 'messages[0].content[0].text'"],
    [{ messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: 'r' }] }, 'messages[1].tool_call_id', "Missing required parameter: 'messages[1].tool_call_id'"],
    [{ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] }, 'messages[0].content[0].type', "Supported values are: 'text'"],
    [{ messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature', "Invalid type for 'temperature': expected a number"],
    [{ messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'max_tokens', "Invalid value for 'max_tokens': 0"],
    [{ messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream', "Invalid type for 'stream'"],
    [{ messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' }, 'tool_choice', "Invalid value for 'tool_choice'"],
    [{ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }, 'tools[0].function', "Missing required parameter: 'tools[0].function'"],
    [{ messages: [{ role: 'user', content: 'x' }], stop: [1] }, 'stop[0]', "Invalid type for 'stop[0]'"],
  ])('rejects %j with a 400 naming %s', (body, param, message) => {
    const error = rejection(body);
    expect(error.code).toBe('CHAT_REQUEST_INVALID');
    expect(error.httpStatus).toBe(400);
    expect(error.details['param']).toBe(param);
    expect(error.message).toContain(message);
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ top_logprobs: 3 }, 'top_logprobs'],
    [{ audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
    [{ modalities: ['text', 'audio'] }, 'modalities'],
    [{ functions: [{ name: 'f' }] }, 'functions'],
    [{ function_call: 'auto' }, 'function_call'],
    [{ tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type'],
    [{ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type'],
  ])('refuses the unsupported feature %j rather than dropping it', (fields, param) => {
    const error = rejection({ messages: [{ role: 'user', content: 'x' }], ...fields });
    expect(error.code).toBe('CHAT_REQUEST_UNSUPPORTED');
    expect(error.httpStatus).toBe(400);
    expect(error.details['param']).toBe(param);
  });

  it('accepts an assistant message echoed back from an earlier response', () => {
    const { request } = parseChatCompletionRequest({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Hello!', refusal: null, annotations: [], audio: null, function_call: null },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot.' }] },
      ],
    });
    expect(request.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] });
    expect(request.messages[2]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'I cannot.' }] });
  });
});
