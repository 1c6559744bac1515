import { describe, expect, it } from '@jest/globals';
import type { LlmProxyError } from '@llmproxy/connector-sdk';
import { parseMessagesRequest } from '../../../src/protocols/anthropic-messages/parse-messages-request.js';

function rejection(action: () => unknown): LlmProxyError {
  try {
    action();
  } catch (error) {
    return error as LlmProxyError;
  }
  throw new Error('expected an error');
}

const minimal = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };

describe('parseMessagesRequest', () => {
  it('turns a full Anthropic request into the canonical request', () => {
    const parsed = parseMessagesRequest({
      model: 'openai:gpt-4o',
      max_tokens: 2048,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in English.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.test/cat.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two images.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque==' },
            { type: 'text', text: 'Checking.', citations: null },
            { type: 'tool_use', id: 'toolu_1', name: 'describe', input: { index: 0 }, caller: { type: 'direct' } },
            { type: 'tool_use', id: 'toolu_2', name: 'describe', input: { index: 1 } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'a chart' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [{ type: 'text', text: 'not found' }, { type: 'image', source: { type: 'url', url: 'https://example.test/404.png' } }],
            },
            { type: 'text', text: 'Go on.' },
          ],
        },
      ],
      tools: [{ name: 'describe', description: 'Describes an image', input_schema: { type: 'object', properties: { index: { type: 'integer' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      stream: true,
      metadata: { user_id: 'user-7' },
      thinking: { type: 'enabled', budget_tokens: 1500 },
    });

    expect(parsed.model).toBe('openai:gpt-4o');
    const { request } = parsed;
    expect(request.messages).toEqual([
      {
        role: 'system',
        content: [
          { type: 'text', text: 'You are terse.' },
          { type: 'text', text: 'Answer in English.', providerOptions: { anthropic: { cache_control: { type: 'ephemeral' } } } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.test/cat.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Two images.', signature: 'sig-1' },
          { type: 'reasoning', text: '', redactedData: 'opaque==' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'toolu_1', name: 'describe', arguments: '{"index":0}' },
          { type: 'tool-call', id: 'toolu_2', name: 'describe', arguments: '{"index":1}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool-result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'a chart' }] },
          {
            type: 'tool-result',
            toolCallId: 'toolu_2',
            isError: true,
            content: [
              { type: 'text', text: 'not found' },
              { type: 'image', source: { type: 'url', url: 'https://example.test/404.png' } },
            ],
          },
          { type: 'text', text: 'Go on.' },
        ],
      },
    ]);
    expect(request.tools).toEqual([
      { name: 'describe', description: 'Describes an image', parameters: { type: 'object', properties: { index: { type: 'integer' } } } },
    ]);
    expect(request.toolChoice).toBe('required');
    expect(request.parallelToolCalls).toBe(false);
    expect(request.maxOutputTokens).toBe(2048);
    expect(request.temperature).toBe(0.3);
    expect(request.topP).toBe(0.9);
    expect(request.stop).toEqual(['END']);
    expect(request.stream).toBe(true);
    expect(request.user).toBe('user-7');
    expect(request.reasoning).toEqual({ budgetTokens: 1500 });
    expect(request.protocolExtras).toEqual({ protocol: 'anthropic-messages', fields: { top_k: 40 } });
    // The cache breakpoint rides on its part as an Anthropic provider option.
    expect(request.messages[0]!.content[1]!.providerOptions).toEqual({ anthropic: { cache_control: { type: 'ephemeral' } } });
    expect(request.messages[0]!.content[0]!.providerOptions).toBeUndefined();
    expect(request.providerOptions).toEqual({ anthropic: { thinking: { type: 'enabled', budget_tokens: 1500 } } });
  });

  it('maps every tool_choice and the thinking modes', () => {
    const choice = (tool_choice: unknown): unknown => {
      const { request } = parseMessagesRequest({ ...minimal, tool_choice });
      return [request.toolChoice, request.parallelToolCalls];
    };
    expect(choice({ type: 'auto' })).toEqual(['auto', undefined]);
    expect(choice({ type: 'auto', disable_parallel_tool_use: false })).toEqual(['auto', true]);
    expect(choice({ type: 'none' })).toEqual(['none', undefined]);
    expect(choice({ type: 'tool', name: 'search', disable_parallel_tool_use: true })).toEqual([{ name: 'search' }, false]);

    expect(parseMessagesRequest({ ...minimal, thinking: { type: 'disabled' } }).request.reasoning).toBeUndefined();
    const adaptive = parseMessagesRequest({ ...minimal, thinking: { type: 'adaptive' }, output_config: { effort: 'high' } }).request;
    expect(adaptive.reasoning).toEqual({ effort: 'high' });
    expect(adaptive.providerOptions).toEqual({ anthropic: { thinking: { type: 'adaptive' }, effort: 'high' } });
    const beyondScale = parseMessagesRequest({ ...minimal, output_config: { effort: 'max', format: { type: 'json_schema' } } }).request;
    expect(beyondScale.reasoning).toBeUndefined();
    expect(beyondScale.protocolExtras?.fields).toEqual({ output_config: { format: { type: 'json_schema' }, effort: 'max' } });
  });

  it('keeps a string system prompt and string message content as text parts', () => {
    const { request } = parseMessagesRequest({ ...minimal, system: 'Be brief.' });
    expect(request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ]);
    expect(request.stream).toBe(false);
  });

  it('requires max_tokens on messages but not on token counting', () => {
    const { max_tokens: _maxTokens, ...withoutLimit } = minimal;
    const error = rejection(() => parseMessagesRequest(withoutLimit));
    expect(error.code).toBe('CHAT_REQUEST_INVALID');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe('max_tokens: Field required.');
    expect(error.details['param']).toBe('max_tokens');
    expect(parseMessagesRequest(withoutLimit, { requireMaxTokens: false }).request.maxOutputTokens).toBeUndefined();
  });

  it('takes a system turn inside messages, as Claude Code sends it, as a system message in its place', () => {
    const { request } = parseMessagesRequest({
      ...minimal,
      system: 'Top-level rules.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'system', content: [{ type: 'text', text: 'A reminder from the client.' }] },
        { role: 'user', content: 'Go on' },
      ],
    });
    expect(request.messages.map((message) => [message.role, message.content])).toEqual([
      ['system', [{ type: 'text', text: 'Top-level rules.' }]],
      ['user', [{ type: 'text', text: 'Hi' }]],
      ['system', [{ type: 'text', text: 'A reminder from the client.' }]],
      ['user', [{ type: 'text', text: 'Go on' }]],
    ]);
  });

  it('names the offending field the way Anthropic does', () => {
    expect(rejection(() => parseMessagesRequest({ ...minimal, model: undefined })).message).toBe('model: Field required.');
    expect(rejection(() => parseMessagesRequest({ ...minimal, messages: [{ role: 'tool', content: 'x' }] })).message).toBe(
      "messages.0.role: Input should be 'user', 'assistant' or 'system'.",
    );
    expect(rejection(() => parseMessagesRequest({ ...minimal, messages: [{ role: 'system', content: [{ type: 'image' }] }] })).message).toBe(
      "messages.0.content.0.type: Input should be 'text'.",
    );
    expect(
      rejection(() => parseMessagesRequest({ ...minimal, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] }))
        .message,
    ).toBe('messages.0.content.0: tool_use blocks are only allowed in assistant messages.');
    expect(rejection(() => parseMessagesRequest({ ...minimal, max_tokens: 0 })).message).toBe(
      'max_tokens: Input should be an integer greater than or equal to 1.',
    );
    expect(rejection(() => parseMessagesRequest({ ...minimal, tools: [{ name: 'f' }] })).message).toBe('tools.0.input_schema: Field required.');
  });

  it('refuses what it cannot carry instead of dropping it', () => {
    const documentError = rejection(() =>
      parseMessagesRequest({
        ...minimal,
        messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }],
      }),
    );
    expect(documentError.code).toBe('CHAT_REQUEST_UNSUPPORTED');
    expect(documentError.details['param']).toBe('messages.0.content.0.type');

    const serverToolUse = rejection(() =>
      parseMessagesRequest({ ...minimal, messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }] }] }),
    );
    expect(serverToolUse.code).toBe('CHAT_REQUEST_UNSUPPORTED');
    expect(serverToolUse.message).toContain("server tool blocks ('server_tool_use')");

    const unknownField = rejection(() =>
      parseMessagesRequest({ ...minimal, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', surprise: 1 }] }] }),
    );
    expect(unknownField.details['param']).toBe('messages.0.content.0.surprise');
  });
});

describe('parseMessagesRequest, fields only an Anthropic upstream receives', () => {
  it('keeps cache breakpoints, tool-loading hints and server tools for Anthropic and names their paths', () => {
    const parsed = parseMessagesRequest({
      ...minimal,
      system: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'r', cache_control: { type: 'ephemeral' } }] }] },
      ],
      tools: [
        { name: 'Read', input_schema: { type: 'object' }, defer_loading: true, eager_input_streaming: true },
        { type: 'web_search_20250305', name: 'web_search' },
      ],
      context_management: { edits: [] },
      metadata: {},
    });
    expect(parsed.vendorOnlyFields).toEqual([
      'system[0].cache_control',
      'messages[0].content[0].cache_control',
      'messages[2].content[0].content[0].cache_control',
      'tools[0].defer_loading',
      'tools[0].eager_input_streaming',
      'tools[1]',
    ]);
    expect(parsed.request.tools).toEqual([
      expect.objectContaining({ name: 'Read', providerOptions: { anthropic: { tool_fields: { defer_loading: true, eager_input_streaming: true } } } }),
    ]);
    expect(parsed.request.providerOptions?.['anthropic']?.['server_tools']).toEqual([{ type: 'web_search_20250305', name: 'web_search' }]);
    // context_management rides as an extra; an empty metadata object is unset.
    expect(parsed.request.protocolExtras?.fields).toEqual({ context_management: { edits: [] } });
  });
});
