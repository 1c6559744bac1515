import { describe, expect, it } from '@jest/globals';
import type { ChatEvent, ChatRequest, LlmProxyError, ServerSentEvent } from '@llmproxy/connector-sdk';
import { fromOpenAIChatCompletion } from '../../../src/protocols/openai-chat/from-openai-chat-completion.js';
import { parseChatCompletionRequest } from '../../../src/protocols/openai-chat/parse-chat-completion-request.js';
import { readOpenAIChatStream } from '../../../src/protocols/openai-chat/read-openai-chat-stream.js';
import { renderChatCompletion } from '../../../src/protocols/openai-chat/render-chat-completion.js';
import { toOpenAIChatBody } from '../../../src/protocols/openai-chat/to-openai-chat-body.js';

const bodyOptions = { backendName: 'openai', maxTokensParameter: 'max_completion_tokens' as const };

function rejection(action: () => unknown): LlmProxyError {
  try {
    action();
  } catch (error) {
    return error as LlmProxyError;
  }
  throw new Error('expected an error');
}

describe('OpenAI Chat request → canonical → OpenAI Chat request', () => {
  it('reproduces what an OpenAI client sent', () => {
    const original = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          name: 'ann',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'https://example.test/a.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Looking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'zoom', arguments: '{"level":2}' } },
            { id: 'call_2', type: 'function', function: { name: 'crop', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'zoomed' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'cropped' }, { type: 'text', text: ' twice' }] },
      ],
      tools: [{ type: 'function', function: { name: 'zoom', description: 'Zooms', parameters: { type: 'object', properties: { level: { type: 'number' } } }, strict: true } }],
      tool_choice: 'required',
      parallel_tool_calls: true,
      stream: true,
      stream_options: { include_usage: false, include_obfuscation: false },
      max_completion_tokens: 300,
      temperature: 1,
      top_p: 0.5,
      stop: ['x', 'y'],
      reasoning_effort: 'medium',
      user: 'u',
      seed: 7,
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
      logit_bias: { '50256': -100 },
    };
    const { request } = parseChatCompletionRequest(original);
    expect(toOpenAIChatBody(request, bodyOptions)).toEqual({
      ...original,
      // Upstreams are always asked for usage; the client's flag only governs what it receives.
      stream_options: { include_usage: true, include_obfuscation: false },
    });
  });

  it('keeps reasoning_content for an OpenAI client and uses max_tokens where configured', () => {
    const { request } = parseChatCompletionRequest({
      model: 'deepseek-reasoner',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', reasoning_content: 'r' },
        { role: 'user', content: 'q2' },
      ],
      max_tokens: 9,
    });
    expect(toOpenAIChatBody(request, { backendName: 'local', maxTokensParameter: 'max_tokens' })).toEqual({
      model: 'deepseek-reasoner',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', reasoning_content: 'r' },
        { role: 'user', content: 'q2' },
      ],
      max_tokens: 9,
    });
  });
});

describe('canonical request from another protocol → OpenAI Chat request', () => {
  const fromAnthropic: ChatRequest = {
    model: 'gpt-4o',
    stream: false,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }] },
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } }, { type: 'text', text: 'What?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'private', signature: 'sig' },
          { type: 'tool-call', id: 'toolu_1', name: 'look', arguments: '{"q":"x"}' },
          { type: 'tool-call', id: 'toolu_2', name: 'look', arguments: '{"q":"y"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool-result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'X' }] },
          { type: 'tool-result', toolCallId: 'toolu_2', content: [{ type: 'text', text: 'Y' }], isError: true },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ],
    tools: [{ name: 'look', parameters: { type: 'object' } }],
    toolChoice: { name: 'look' },
    reasoning: { budgetTokens: 10_000 },
    maxOutputTokens: 1024,
    protocolExtras: { protocol: 'anthropic-messages', fields: {} },
  };

  it('converts tool results to tool messages right after the calls, drops foreign reasoning, inlines base64 images', () => {
    expect(toOpenAIChatBody(fromAnthropic, bodyOptions)).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }] },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'text', text: 'What?' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'look', arguments: '{"q":"x"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'look', arguments: '{"q":"y"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'X' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'Y' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'look' } },
      reasoning_effort: 'medium',
      max_completion_tokens: 1024,
    });
  });

  it('names what cannot be sent', () => {
    const withImageResult: ChatRequest = {
      ...fromAnthropic,
      messages: [
        {
          role: 'user',
          content: [{ type: 'tool-result', toolCallId: 't', content: [{ type: 'image', source: { type: 'url', url: 'https://x.test/i.png' } }] }],
        },
      ],
    };
    const error = rejection(() => toOpenAIChatBody(withImageResult, bodyOptions));
    expect(error.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toContain('`messages[0].content[0].content[0]`');

    const extras = rejection(() =>
      toOpenAIChatBody({ ...fromAnthropic, protocolExtras: { protocol: 'gemini', fields: { safetySettings: [], cachedContent: 'c' } } }, bodyOptions),
    );
    expect(extras.message).toBe(
      'The request fields `safetySettings`, `cachedContent` cannot be translated from gemini to openai-chat (backend openai). Remove those fields from the request, or use a backend that speaks gemini.',
    );
  });
});

describe('OpenAI Chat completion → canonical → OpenAI Chat completion', () => {
  it('reproduces the upstream completion for an OpenAI client', () => {
    const upstream = {
      id: 'chatcmpl-abc',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4o-2024-08-06',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Calling.',
            refusal: null,
            annotations: [{ type: 'url_citation', url_citation: { url: 'https://x.test' } }],
            tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"a":"b"}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 8 },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_123',
    };
    expect(renderChatCompletion(fromOpenAIChatCompletion(upstream, 'openai'))).toEqual(upstream);
  });

  it('reads reasoning from compatible servers and refuses a body without choices', () => {
    const response = fromOpenAIChatCompletion(
      { id: 'x', object: 'chat.completion', created: 1, model: 'qwq', choices: [{ index: 0, message: { role: 'assistant', content: 'A', reasoning_content: 'R' }, finish_reason: 'length' }] },
      'local',
    );
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'R' },
      { type: 'text', text: 'A' },
    ]);
    expect(response.finishReason).toBe('length');
    expect(rejection(() => fromOpenAIChatCompletion({ error: 'nope' }, 'local')).code).toBe('UPSTREAM_INVALID_RESPONSE');
  });
});

describe('readOpenAIChatStream with chunks from less regular servers', () => {
  async function* sse(...payloads: Array<object | string>): AsyncGenerator<ServerSentEvent> {
    for (const payload of payloads) yield { data: typeof payload === 'string' ? payload : JSON.stringify(payload) };
  }
  const chunk = (delta: object, extra: object = {}): object => ({
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  });
  async function events(source: AsyncIterable<ServerSentEvent>): Promise<ChatEvent[]> {
    const collected: ChatEvent[] = [];
    for await (const event of readOpenAIChatStream(source, 'local')) collected.push(event);
    return collected;
  }

  it('handles arguments before the name, missing indexes, usage on every chunk and finish with usage in one chunk', async () => {
    const result = await events(
      sse(
        chunk({ role: 'assistant', content: '' }, { usage: { prompt_tokens: 1, completion_tokens: 0 } }),
        chunk({ tool_calls: [{ index: 3, function: { arguments: '{"early":' } }] }),
        chunk({ tool_calls: [{ index: 3, id: 'call_x', function: { name: 'late', arguments: 'true}' } }] }),
        chunk({ tool_calls: [{ id: 'call_y', type: 'function', function: { name: 'noindex', arguments: '{}' } }] }),
        {
          id: 'c',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
          usage: { prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 },
        },
        '[DONE]',
      ),
    );
    expect(result.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_x', name: 'late' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"early":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'true}' },
      { type: 'tool-call-start', index: 1, id: 'call_y', name: 'noindex' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 5, totalTokens: 6 } },
    ]);
  });

  it('finishes a stream that reached [DONE] without a finish reason', async () => {
    const result = await events(sse(chunk({ content: 'x' }), '[DONE]'));
    expect(result.slice(1)).toEqual([
      { type: 'text-delta', text: 'x' },
      { type: 'finish', finishReason: 'other' },
    ]);
  });

  it('reads `reasoning` deltas and a refusal', async () => {
    const result = await events(sse(chunk({ reasoning: 'think' }), chunk({ refusal: 'No.' }), chunk({}, {}), '[DONE]'));
    expect(result.slice(1, 3)).toEqual([
      { type: 'reasoning-delta', text: 'think' },
      { type: 'text-delta', text: 'No.' },
    ]);
  });

  it('refuses a chunk that is not JSON', async () => {
    await expect(events(sse('not json'))).rejects.toMatchObject({ code: 'UPSTREAM_INVALID_RESPONSE' });
  });
});
