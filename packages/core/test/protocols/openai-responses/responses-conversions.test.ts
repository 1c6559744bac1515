/**
 * Unit tests of the pure Responses ⇄ canonical conversions and the response store.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, ChatResponse } from '@llmproxy/connector-sdk';
import { ResponseStore } from '../../../src/frontends/openai-responses/response-store.js';
import type { ResponsesRenderContext } from '../../../src/protocols/openai-responses/build-responses-response-object.js';
import { parseResponsesRequest } from '../../../src/protocols/openai-responses/parse-responses-request.js';
import { renderResponsesResponse } from '../../../src/protocols/openai-responses/render-responses-response.js';
import { renderResponsesStream } from '../../../src/protocols/openai-responses/render-responses-stream.js';
import { responsesRequestHintsOf } from '../../../src/protocols/openai-responses/responses-request-hints.js';
import { toResponsesBody } from '../../../src/protocols/openai-responses/to-responses-body.js';

function thrown(action: () => unknown): LlmProxyError {
  try {
    action();
  } catch (error) {
    if (LlmProxyError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an LlmProxyError');
}

const context = (): ResponsesRenderContext => ({
  responseId: 'resp_test',
  createdAt: 1_700_000_000,
  requestedModel: 'openai:gpt-5',
  echo: parseResponsesRequest({ model: 'gpt-5', input: 'x' }).echo,
});

async function* eventsOf(events: ChatEvent[], failWith?: Error): AsyncGenerator<ChatEvent> {
  for (const event of events) yield event;
  if (failWith !== undefined) throw failWith;
}

async function framesOf(iterable: AsyncIterable<string>): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const frames: Array<{ event: string; data: Record<string, unknown> }> = [];
  for await (const frame of iterable) {
    const match = /^event: (.+)\ndata: (.+)\n\n$/.exec(frame);
    if (match === null) throw new Error(`not an SSE frame: ${frame}`);
    frames.push({ event: match[1] as string, data: JSON.parse(match[2] as string) as Record<string, unknown> });
  }
  return frames;
}

describe('parseResponsesRequest', () => {
  it('reads a string input and the modelled parameters', () => {
    const parsed = parseResponsesRequest({
      model: 'openai:gpt-5',
      instructions: 'Be brief.',
      input: 'Hi',
      temperature: 0.5,
      top_p: 0.9,
      max_output_tokens: 100,
      parallel_tool_calls: false,
      tool_choice: { type: 'function', name: 'lookup' },
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' }, strict: false }],
      reasoning: { effort: 'low' },
      user: 'user-7',
      stream: true,
    });
    expect(parsed.model).toBe('openai:gpt-5');
    expect(parsed.request).toEqual({
      model: 'openai:gpt-5',
      stream: true,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      ],
      temperature: 0.5,
      topP: 0.9,
      maxOutputTokens: 100,
      parallelToolCalls: false,
      toolChoice: { name: 'lookup' },
      tools: [{ name: 'lookup', parameters: { type: 'object' }, strict: false }],
      reasoning: { effort: 'low' },
      user: 'user-7',
      protocolExtras: { protocol: 'openai-responses', fields: {} },
    });
    expect(parsed.instructionMessages).toHaveLength(1);
    expect(parsed.inputMessages).toHaveLength(1);
  });

  it('groups one model turn into one assistant message and reads every item type', () => {
    const parsed = parseResponsesRequest({
      model: 'gpt-5',
      input: [
        { role: 'developer', content: 'Rules.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look:' },
            { type: 'input_image', image_url: 'https://example.test/cat.png', detail: 'low' },
            { type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/4AAQ' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'A' }, { type: 'summary_text', text: 'B' }], encrypted_content: 'sig-1' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Calling.', annotations: [] }] },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'call_2', name: 'g', arguments: '{"x":1}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'one' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'two' }, { type: 'input_image', image_url: 'https://example.test/chart.png' }] },
        { type: 'reasoning', summary: [], encrypted_content: 'llmproxy-redacted-thinking:opaque' },
        { role: 'assistant', content: 'Done.' },
      ],
    });
    expect(parsed.request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Rules.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image', source: { type: 'url', url: 'https://example.test/cat.png', detail: 'low' } },
          { type: 'image', source: { type: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'A\n\nB', signature: 'sig-1' },
          { type: 'text', text: 'Calling.' },
          { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{}' },
          { type: 'tool-call', id: 'call_2', name: 'g', arguments: '{"x":1}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: 'one' }] }] },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_2',
            content: [
              { type: 'text', text: 'two' },
              { type: 'image', source: { type: 'url', url: 'https://example.test/chart.png' } },
            ],
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: '', redactedData: 'opaque' },
          { type: 'text', text: 'Done.' },
        ],
      },
    ]);
  });

  it('keeps hints out of protocol extras (and out of JSON), and unknown fields in them', () => {
    const parsed = parseResponsesRequest({
      model: 'gpt-5',
      input: 'hi',
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'k',
      metadata: { a: '1' },
      reasoning: { effort: 'none', summary: 'detailed' },
      text: { format: { type: 'text' }, verbosity: 'high' },
      service_tier: 'flex',
      max_tool_calls: 2,
      top_logprobs: 0,
    });
    expect(parsed.request.protocolExtras).toEqual({ protocol: 'openai-responses', fields: { reasoning: { effort: 'none' }, max_tool_calls: 2 } });
    expect(responsesRequestHintsOf(parsed.request)).toEqual({
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'k',
      metadata: { a: '1' },
      reasoning: { summary: 'detailed' },
      text: { verbosity: 'high' },
      service_tier: 'flex',
    });
    // The hints are plain data on the canonical request, readable by any Responses connector.
    expect(parsed.request.providerOptions?.['openai-responses']).toMatchObject({ prompt_cache_key: 'k', store: false });
    // The route copies the request with spread; the hints travel along.
    expect(responsesRequestHintsOf({ ...parsed.request, model: 'gpt-5' })).toMatchObject({ prompt_cache_key: 'k' });
    expect(parsed.store).toBe(false);
    expect(parsed.echo).toMatchObject({ store: false, metadata: { a: '1' }, reasoning: { effort: 'none', summary: 'detailed' } });
  });

  it('names the offending field of invalid or unsupported requests', () => {
    const cases: Array<[unknown, string, string]> = [
      [{ model: 'm' }, 'CHAT_REQUEST_INVALID', 'input'],
      [{ model: 'm', input: 42 }, 'CHAT_REQUEST_INVALID', 'input'],
      [{ model: 'm', input: [{ role: 'tool', content: 'x' }] }, 'CHAT_REQUEST_INVALID', 'input[0].role'],
      [{ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }, 'CHAT_REQUEST_UNSUPPORTED', 'input[0].type'],
      [{ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'CHAT_REQUEST_UNSUPPORTED', 'input[0].content[0].type'],
      [{ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] }, 'CHAT_REQUEST_UNSUPPORTED', 'input[0].content[0].file_id'],
      [{ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'CHAT_REQUEST_INVALID', 'input[0].call_id'],
      [{ model: 'm', input: 'x', tools: [{ type: 'tool_search' }] }, 'CHAT_REQUEST_UNSUPPORTED', 'tools[0].type'],
      [{ model: 'm', input: 'x', tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'web_search' }] }] }, 'CHAT_REQUEST_UNSUPPORTED', 'tools[0].tools[0].type'],
      [{ model: 'm', input: 'x', tool_choice: { type: 'web_search_preview' } }, 'CHAT_REQUEST_UNSUPPORTED', 'tool_choice.type'],
      [{ model: 'm', input: 'x', background: true }, 'CHAT_REQUEST_UNSUPPORTED', 'background'],
      [{ model: 'm', input: 'x', conversation: 'conv_1' }, 'CHAT_REQUEST_UNSUPPORTED', 'conversation'],
      [{ model: 'm', input: 'x', max_output_tokens: 0 }, 'CHAT_REQUEST_INVALID', 'max_output_tokens'],
    ];
    for (const [body, code, param] of cases) {
      const error = thrown(() => parseResponsesRequest(body));
      expect([error.code, error.details['param'], error.httpStatus]).toEqual([code, param, 400]);
    }
  });
});

describe('renderResponsesResponse', () => {
  it('renders content in order as items, with usage and status', () => {
    const response: ChatResponse = {
      id: 'chatcmpl-1',
      model: 'gpt-4o-mini',
      created: 1,
      content: [
        { type: 'reasoning', text: 'Hmm.', signature: 'sig' },
        { type: 'reasoning', text: '', redactedData: 'hidden' },
        { type: 'text', text: 'A' },
        { type: 'text', text: 'B' },
        { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 10, outputTokens: 5 },
    };
    const rendered = renderResponsesResponse(response, context());
    expect(rendered).toMatchObject({ id: 'resp_test', object: 'response', created_at: 1_700_000_000, status: 'completed', model: 'gpt-4o-mini' });
    expect(rendered.output).toMatchObject([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hmm.' }], encrypted_content: 'sig' },
      { type: 'reasoning', summary: [], encrypted_content: 'llmproxy-redacted-thinking:hidden' },
      {
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [
          { type: 'output_text', text: 'A', annotations: [] },
          { type: 'output_text', text: 'B', annotations: [] },
        ],
      },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}', status: 'completed' },
    ]);
    expect(rendered.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    });
  });

  it('a cut-off answer is incomplete, a content-filtered one names the reason', () => {
    const base: ChatResponse = { id: 'x', model: '', created: 1, content: [{ type: 'text', text: 'Cut' }], finishReason: 'length' };
    expect(renderResponsesResponse(base, context())).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      model: 'openai:gpt-5',
      output: [{ status: 'incomplete' }],
    });
    expect(renderResponsesResponse({ ...base, finishReason: 'content-filter' }, context()).incomplete_details).toEqual({ reason: 'content_filter' });
  });
});

describe('custom tools', () => {
  it('parse to a function stand-in and render back as custom_tool_call', () => {
    const parsed = parseResponsesRequest({
      model: 'gpt-5',
      input: [{ type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: 'PATCH' }, { type: 'custom_tool_call_output', call_id: 'c1', output: 'ok' }],
      tools: [{ type: 'custom', name: 'apply_patch' }, { type: 'function', name: 'shell', parameters: { type: 'object' } }],
      tool_choice: { type: 'custom', name: 'apply_patch' },
    });
    expect(parsed.customToolNames).toEqual(new Set(['apply_patch']));
    expect(parsed.request.toolChoice).toEqual({ name: 'apply_patch' });
    expect(parsed.request.tools?.[0]).toMatchObject({ name: 'apply_patch', parameters: { required: ['input'] } });
    expect(parsed.request.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'apply_patch', arguments: '{"input":"PATCH"}' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'ok' }] }] },
    ]);
    const rendered = renderResponsesResponse(
      {
        id: 'x',
        model: 'm',
        created: 1,
        content: [
          { type: 'tool-call', id: 'c2', name: 'apply_patch', arguments: '{"input":"NEXT"}' },
          { type: 'tool-call', id: 'c3', name: 'shell', arguments: '{}' },
        ],
        finishReason: 'tool-calls',
      },
      { ...context(), customToolNames: parsed.customToolNames },
    );
    expect(rendered.output).toMatchObject([
      { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: 'NEXT' },
      { type: 'function_call', call_id: 'c3', name: 'shell', arguments: '{}' },
    ]);
  });
});

describe('renderResponsesStream', () => {
  it('keeps interleaved parallel call arguments on their own items and closes them at the end', async () => {
    let completed: ChatResponse | undefined;
    const frames = await framesOf(
      renderResponsesStream(
        eventsOf([
          { type: 'response-start', id: 'up', model: 'claude', created: 1 },
          { type: 'reasoning-delta', text: 'Plan' },
          { type: 'reasoning-delta', text: '', signature: 'sig-a' },
          { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
          { type: 'tool-call-start', index: 1, id: 'call_b', name: 'g' },
          { type: 'tool-call-delta', index: 1, argumentsDelta: '{"b"' },
          { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
          { type: 'tool-call-delta', index: 1, argumentsDelta: ':2}' },
          { type: 'finish', finishReason: 'tool-calls' },
          { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, reasoningTokens: 1 } },
        ]),
        context(),
        { onCompleted: (response) => (completed = response) },
      ),
    );
    expect(frames.map((frame) => frame.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(frames.map((frame) => frame.data['sequence_number'])).toEqual(frames.map((_, index) => index));
    expect(frames[7]?.data['item']).toMatchObject({ type: 'reasoning', encrypted_content: 'sig-a', summary: [{ text: 'Plan' }] });
    expect(frames.slice(10, 13).map((frame) => [frame.data['output_index'], frame.data['delta']])).toEqual([
      [2, '{"b"'],
      [1, '{"a":1}'],
      [2, ':2}'],
    ]);
    expect(frames.at(-1)?.data['response']).toMatchObject({
      status: 'completed',
      model: 'claude',
      usage: { input_tokens: 3, output_tokens: 4, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 7 },
    });
    expect(completed?.content).toEqual([
      { type: 'reasoning', text: 'Plan', signature: 'sig-a' },
      { type: 'tool-call', id: 'call_a', name: 'f', arguments: '{"a":1}' },
      { type: 'tool-call', id: 'call_b', name: 'g', arguments: '{"b":2}' },
    ]);
  });

  it('a second signed reasoning block becomes a second reasoning item', async () => {
    const frames = await framesOf(
      renderResponsesStream(
        eventsOf([
          { type: 'reasoning-delta', text: 'One', signature: 'sig-1' },
          { type: 'reasoning-delta', text: 'Two' },
          { type: 'reasoning-delta', text: '', signature: 'sig-2' },
          { type: 'text-delta', text: 'Answer' },
          { type: 'finish', finishReason: 'stop' },
        ]),
        context(),
      ),
    );
    const done = frames.filter((frame) => frame.event === 'response.output_item.done').map((frame) => frame.data['item']);
    expect(done).toMatchObject([
      { type: 'reasoning', encrypted_content: 'sig-1', summary: [{ text: 'One' }] },
      { type: 'reasoning', encrypted_content: 'sig-2', summary: [{ text: 'Two' }] },
      { type: 'message', content: [{ text: 'Answer' }] },
    ]);
  });

  it('rethrows an error before the first frame, so the route can answer with an HTTP error', async () => {
    const failure = new LlmProxyError({ code: 'UPSTREAM_TIMEOUT', message: 'Too slow', httpStatus: 504 });
    await expect(framesOf(renderResponsesStream(eventsOf([], failure), context()))).rejects.toBe(failure);
  });

  it('an error after the first frame becomes an error event and response.failed', async () => {
    const failure = new LlmProxyError({ code: 'UPSTREAM_STREAM_INTERRUPTED', message: 'The stream ended early', httpStatus: 502 });
    let completed = false;
    const frames = await framesOf(
      renderResponsesStream(eventsOf([{ type: 'text-delta', text: 'Par' }], failure), context(), { onCompleted: () => (completed = true) }),
    );
    expect(frames.slice(-2)).toEqual([
      {
        event: 'error',
        data: {
          type: 'error',
          code: 'UPSTREAM_STREAM_INTERRUPTED',
          message: 'The stream ended early.',
          param: null,
          error: { message: 'The stream ended early.', type: 'server_error', param: null, code: 'UPSTREAM_STREAM_INTERRUPTED' },
          sequence_number: frames.length - 2,
        },
      },
      expect.objectContaining({ event: 'response.failed' }),
    ]);
    expect(frames.at(-1)?.data['response']).toMatchObject({ status: 'failed', error: { code: 'UPSTREAM_STREAM_INTERRUPTED', message: 'The stream ended early.' } });
    expect(completed).toBe(false);
  });
});

describe('toResponsesBody', () => {
  const base: ChatRequest = { model: 'gpt-5', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };

  it('puts later system messages in place as developer messages and converts effort budgets', () => {
    const body = toResponsesBody(
      {
        ...base,
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'A' }] },
          { role: 'system', content: [{ type: 'text', text: 'B' }] },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          { role: 'system', content: [{ type: 'text', text: 'Now terse.' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'From another vendor, unsigned' },
              { type: 'text', text: 'Hello' },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'image', source: { type: 'url', url: 'https://example.test/a.png' } }] },
            ],
          },
        ],
        reasoning: { budgetTokens: 20000 },
      },
      { backendName: 'openai' },
    );
    expect(body).toEqual({
      store: false,
      include: ['reasoning.encrypted_content'],
      model: 'gpt-5',
      instructions: 'A\n\nB',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        { type: 'message', role: 'developer', content: 'Now terse.' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_image', image_url: 'https://example.test/a.png', detail: 'auto' }] },
      ],
      reasoning: { effort: 'high' },
    });
  });

  it('refuses extras from another protocol by name', () => {
    const error = thrown(() =>
      toResponsesBody({ ...base, protocolExtras: { protocol: 'anthropic-messages', fields: { top_k: 5 } } }, { backendName: 'openai' }),
    );
    expect(error.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(error.message).toContain('`top_k` cannot be translated from anthropic-messages to openai-responses');
  });

  it('round-trips a parsed Responses request to the same body', () => {
    const original = {
      model: 'gpt-5-codex',
      instructions: 'Sys',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'S' }], encrypted_content: 'E' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      ],
      tools: [{ type: 'function', name: 'f', description: 'F', parameters: { type: 'object', properties: {} }, strict: false }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'p',
      reasoning: { effort: 'medium', summary: 'auto' },
      stream: true,
    };
    const parsed = parseResponsesRequest(original);
    expect(toResponsesBody(parsed.request, { backendName: 'codex' })).toEqual(original);
  });
});

describe('ResponseStore', () => {
  const message = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const store = new ResponseStore({ maxEntries: 2 });
    store.set('a', [message('a')], [message('a')]);
    store.set('b', [message('b')], [message('b')]);
    expect(store.get('a')).toBeDefined();
    store.set('c', [message('c')], [message('c')]);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toEqual([message('a')]);
    expect(store.get('c')).toEqual([message('c')]);
    expect(store.size).toBe(2);
  });

  it('evicts beyond maxCharacters but always keeps the newest entry', () => {
    const store = new ResponseStore({ maxCharacters: 150 });
    store.set('a', [message('x'.repeat(60))], [message('x'.repeat(60))]);
    store.set('b', [message('y'.repeat(60))], [message('y'.repeat(60))]);
    expect(store.get('a')).toBeUndefined();
    expect(store.get('b')).toBeDefined();
    store.set('huge', [message('z'.repeat(500))], [message('z'.repeat(500))]);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('huge')).toBeDefined();
  });
});
