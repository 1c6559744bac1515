/**
 * The Responses front-end through a real HTTP server, real openai connectors and fake upstreams,
 * driven by the official OpenAI SDK (`client.responses.create` / `client.responses.stream`,
 * consuming streams with the SDK's own parser and accumulator).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { startFakeResponsesUpstream, type FakeResponsesUpstream } from '../../support/fake-openai-responses-upstream.js';
import { startResponsesTestServer, type ResponsesTestServer } from './start-responses-test-server.js';

const UPSTREAM_KEY = 'sk-upstream-responses-key';
const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('POST /v1/responses with the official OpenAI SDK', () => {
  let chatUpstream: FakeOpenAIUpstream;
  let responsesUpstream: FakeResponsesUpstream;
  let server: ResponsesTestServer;
  let client: OpenAI;

  beforeAll(async () => {
    chatUpstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY });
    responsesUpstream = await startFakeResponsesUpstream({ apiKey: UPSTREAM_KEY });
    server = await startResponsesTestServer({
      chatUpstreamUrl: chatUpstream.baseUrl,
      responsesUpstreamUrl: responsesUpstream.baseUrl,
      upstreamKey: UPSTREAM_KEY,
    });
    client = new OpenAI({ apiKey: 'unused-by-this-test-server', baseURL: server.baseUrl, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
    await chatUpstream.close();
    await responsesUpstream.close();
  });

  function lastChatRequestBody(): Record<string, unknown> {
    return chatUpstream.requests.at(-1)?.body as Record<string, unknown>;
  }

  it('answers a non-streamed request with a response object, usage and the request echoed', async () => {
    chatUpstream.enqueue({ type: 'answer', text: ['Hello', ' world'] });
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: 'Say hello',
      temperature: 0.2,
      max_output_tokens: 64,
      metadata: { ticket: '42' },
    });
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Hello world');
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello world', annotations: [] }] });
    expect(response.usage).toEqual({
      input_tokens: 11,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 18,
    });
    expect(response).toMatchObject({ instructions: 'Be brief.', temperature: 0.2, max_output_tokens: 64, metadata: { ticket: '42' }, model: 'gpt-4o-mini' });
    expect(lastChatRequestBody()).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      temperature: 0.2,
      max_completion_tokens: 64,
    });
  });

  it('streams text with the official event sequence, parsed and accumulated by the SDK', async () => {
    chatUpstream.enqueue({ type: 'answer', text: ['One', ' two', ' three'] });
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Count' });
    const events: Array<{ type: string; sequence_number: number }> = [];
    const deltas: string[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'response.output_text.delta') deltas.push(event.delta);
    }
    const final = await stream.finalResponse();
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(deltas).toEqual(['One', ' two', ' three']);
    expect(final.output_text).toBe('One two three');
    expect(final.status).toBe('completed');
    expect(final.usage?.total_tokens).toBe(18);
  });

  it('streams parallel tool calls whose arguments arrive in pieces, and sends the tools in Chat format', async () => {
    chatUpstream.enqueue({
      type: 'answer',
      toolCalls: [
        { id: 'call_paris', name: 'get_weather', argumentPieces: ['{"ci', 'ty":"Pa', 'ris"}'] },
        { id: 'call_rome', name: 'get_weather', argumentPieces: ['{"city":', '"Rome"}'] },
      ],
    });
    const stream = client.responses.stream({
      model: 'gpt-4o-mini',
      input: 'Weather in Paris and Rome?',
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    const argumentDeltas: Array<[number, string]> = [];
    for await (const event of stream) {
      if (event.type === 'response.function_call_arguments.delta') argumentDeltas.push([event.output_index, event.delta]);
    }
    const final = await stream.finalResponse();
    expect(argumentDeltas).toEqual([
      [0, '{"ci'],
      [0, 'ty":"Pa'],
      [0, 'ris"}'],
      [1, '{"city":'],
      [1, '"Rome"}'],
    ]);
    const calls = final.output.filter((item) => item.type === 'function_call');
    expect(calls.map((call) => [call.call_id, call.name, call.arguments, call.status])).toEqual([
      ['call_paris', 'get_weather', '{"city":"Paris"}', 'completed'],
      ['call_rome', 'get_weather', '{"city":"Rome"}', 'completed'],
    ]);
    expect(calls[0]?.id).toMatch(/^fc_/);
    expect(lastChatRequestBody()['tools']).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_TOOL.parameters, strict: true } },
    ]);
    expect(lastChatRequestBody()).toMatchObject({ tool_choice: 'auto', parallel_tool_calls: true });
  });

  it('sends tool results back as tool messages, with the calls they answer', async () => {
    chatUpstream.enqueue({ type: 'answer', text: ['Paris is 18C.'] });
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [WEATHER_TOOL],
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_paris', output: '18C and sunny' },
      ],
    });
    expect(response.output_text).toBe('Paris is 18C.');
    expect(lastChatRequestBody()['messages']).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_paris', content: '18C and sunny' },
    ]);
  });

  it('serves custom (free-form) tools, as Codex CLI declares apply_patch, through a function stand-in', async () => {
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch';
    const argumentsText = JSON.stringify({ input: patch });
    chatUpstream.enqueue({
      type: 'answer',
      toolCalls: [{ id: 'call_patch', name: 'apply_patch', argumentPieces: [argumentsText.slice(0, 15), argumentsText.slice(15)] }],
    });
    const applyPatch = {
      type: 'custom' as const,
      name: 'apply_patch',
      description: 'Edit files.',
      format: { type: 'grammar' as const, syntax: 'lark' as const, definition: 'start: "*** Begin Patch" /(.|\\n)*/' },
    };
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Create hello.txt', tools: [applyPatch] });
    const inputDeltas: string[] = [];
    for await (const event of stream) {
      if (event.type === 'response.custom_tool_call_input.delta') inputDeltas.push(event.delta);
    }
    const final = await stream.finalResponse();
    expect(inputDeltas).toEqual([patch]);
    expect(final.output).toEqual([
      expect.objectContaining({ type: 'custom_tool_call', call_id: 'call_patch', name: 'apply_patch', input: patch, status: 'completed' }),
    ]);
    const sentTool = (lastChatRequestBody()['tools'] as Array<{ function: { name: string; description: string; parameters: unknown } }>)[0];
    expect(sentTool?.function.name).toBe('apply_patch');
    expect(sentTool?.function.description).toContain('Edit files.');
    expect(sentTool?.function.description).toContain('the input must match this lark grammar');
    expect(sentTool?.function.parameters).toMatchObject({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });

    chatUpstream.enqueue({ type: 'answer', text: ['Created.'] });
    await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [applyPatch],
      input: [
        { role: 'user', content: 'Create hello.txt' },
        { type: 'custom_tool_call', call_id: 'call_patch', name: 'apply_patch', input: patch },
        { type: 'custom_tool_call_output', call_id: 'call_patch', output: 'Done!' },
      ],
    });
    expect((lastChatRequestBody()['messages'] as unknown[]).slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_patch', type: 'function', function: { name: 'apply_patch', arguments: argumentsText } }] },
      { role: 'tool', tool_call_id: 'call_patch', content: 'Done!' },
    ]);
  });

  it('streams reasoning as summary text before the answer', async () => {
    chatUpstream.enqueue({ type: 'answer', reasoning: ['Thinking ', 'hard.'], text: ['Done.'] });
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Think', reasoning: { effort: 'high', summary: 'auto' } });
    const summaryDeltas: string[] = [];
    for await (const event of stream) {
      if (event.type === 'response.reasoning_summary_text.delta') summaryDeltas.push(event.delta);
    }
    const final = await stream.finalResponse();
    expect(summaryDeltas).toEqual(['Thinking ', 'hard.']);
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking hard.' }] });
    expect(final.output_text).toBe('Done.');
    expect(final.reasoning).toEqual({ effort: 'high', summary: 'auto' });
    expect(lastChatRequestBody()['reasoning_effort']).toBe('high');
  });

  it('continues a conversation with previous_response_id, without the earlier instructions', async () => {
    chatUpstream.enqueue({ type: 'answer', text: ['Nice to meet you, Ada.'] }, { type: 'answer', text: ['Your name is Ada.'] });
    const first = await client.responses.create({ model: 'gpt-4o-mini', instructions: 'Be warm.', input: 'My name is Ada.' });
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'Be exact.',
      previous_response_id: first.id,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is my name?' }] }],
      stream: false,
    });
    expect(second.output_text).toBe('Your name is Ada.');
    expect(second.previous_response_id).toBe(first.id);
    expect(lastChatRequestBody()['messages']).toEqual([
      { role: 'system', content: 'Be exact.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);

    // A streamed answer is kept too, and the chain goes on.
    chatUpstream.enqueue({ type: 'answer', text: ['Third.'] }, { type: 'answer', text: ['Fourth.'] });
    const streamed = client.responses.stream({ model: 'gpt-4o-mini', previous_response_id: second.id, input: 'And again?' });
    const third = await streamed.finalResponse();
    await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: third.id, input: 'Last one.' });
    expect((lastChatRequestBody()['messages'] as unknown[]).slice(-3)).toEqual([
      { role: 'user', content: 'And again?' },
      { role: 'assistant', content: 'Third.' },
      { role: 'user', content: 'Last one.' },
    ]);
  });

  it('an unknown previous_response_id, or one stored with store: false, is a 404 naming the parameter', async () => {
    const unknown = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: 'resp_unknown', input: 'hi' }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const notFound = unknown as InstanceType<typeof OpenAI.NotFoundError>;
    expect(notFound.code).toBe('PREVIOUS_RESPONSE_NOT_FOUND');
    expect(notFound.param).toBe('previous_response_id');
    expect(notFound.message).toContain("Previous response with id 'resp_unknown' not found");

    chatUpstream.enqueue({ type: 'answer', text: ['Not kept.'] });
    const unstored = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi', store: false });
    expect((unstored as unknown as { store: boolean }).store).toBe(false);
    const requestsBefore = chatUpstream.requests.length;
    const error = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: unstored.id, input: 'again' }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(chatUpstream.requests).toHaveLength(requestsBefore);
  });

  it('reports an upstream 429 as an HTTP error with its retry-after', async () => {
    chatUpstream.enqueue({
      type: 'error',
      status: 429,
      headers: { 'retry-after': '9' },
      error: { message: 'Rate limit reached for gpt-4o-mini.', type: 'requests', code: 'rate_limit_exceeded' },
    });
    const error = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi', stream: true }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('9');
    expect((error as Error).message).toContain('Rate limit reached');
  });

  it('refuses invalid and untranslatable requests with a 400 naming the field', async () => {
    const missingInput = await client.responses.create({ model: 'gpt-4o-mini' } as never).catch((thrown: unknown) => thrown);
    expect(missingInput).toBeInstanceOf(OpenAI.BadRequestError);
    expect((missingInput as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input');

    // A tool type the proxy does not know (hosted tools are dropped for other backends instead).
    const unknownTool = await client.responses
      .create({ model: 'gpt-4o-mini', input: 'search', tools: [{ type: 'tool_search' } as never] })
      .catch((thrown: unknown) => thrown);
    expect(unknownTool).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknownTool as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('CHAT_REQUEST_UNSUPPORTED');
    expect((unknownTool as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('tools[0].type');

    const structured = await client.responses
      .create({ model: 'gpt-4o-mini', input: 'json please', text: { format: { type: 'json_object' } } })
      .catch((thrown: unknown) => thrown);
    expect((structured as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect((structured as Error).message).toContain('`text` cannot be translated from openai-responses to openai-chat');
  });

  it('an upstream failure after the stream began arrives as an error event the SDK raises, then response.failed', async () => {
    const chunk = (delta: object): string =>
      `data: ${JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    const midStreamError = { type: 'raw-stream' as const, frames: [chunk({ role: 'assistant', content: 'Partial' }), 'data: {"error":{"message":"The upstream fell over.","type":"server_error"}}\n\n'] };

    chatUpstream.enqueue(midStreamError);
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi', stream: true });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((thrown: unknown) => thrown);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as Error).message).toContain('The upstream fell over.');
    expect(seen).toContain('response.output_text.delta');

    // The raw frames: the error event (flat and nested fields), then response.failed for clients such as Codex CLI.
    chatUpstream.enqueue(midStreamError);
    const raw = await fetch(`${server.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'hi', stream: true }),
    });
    const text = await raw.text();
    const frames = text.trim().split('\n\n').map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return { event: eventLine?.slice('event: '.length), data: JSON.parse(dataLine?.slice('data: '.length) ?? '{}') as Record<string, unknown> };
    });
    const errorFrame = frames.find((frame) => frame.event === 'error');
    expect(errorFrame?.data).toMatchObject({ type: 'error', message: 'The upstream fell over.', error: { message: 'The upstream fell over.', type: 'server_error' } });
    expect(frames.at(-1)?.event).toBe('response.failed');
    expect(frames.at(-1)?.data).toMatchObject({ response: { status: 'failed', error: { message: 'The upstream fell over.' } } });
    expect(frames.every((frame) => frame.data['type'] === frame.event)).toBe(true);
  });

  it('a cut-off answer ends with response.incomplete', async () => {
    chatUpstream.enqueue({ type: 'answer', text: ['Trunc'], finishReason: 'length' });
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'long story', max_output_tokens: 16 });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(types.at(-1)).toBe('response.incomplete');
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('is incremental: the first delta reaches the client while the upstream is still sending', async () => {
    chatUpstream.enqueue({ type: 'answer', text: ['early', 'late'], stallAfterFrames: 2 });
    const requestIndex = chatUpstream.requests.length;
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'stream slowly', stream: true });
    let firstDelta: string | undefined;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') {
        firstDelta = event.delta;
        break;
      }
    }
    expect(firstDelta).toBe('early');
    const upstreamRequest = await chatUpstream.waitForRequest(requestIndex);
    // The upstream had sent its role chunk and the first text only; leaving closed its request.
    expect(upstreamRequest.framesSent).toBe(2);
    expect(await upstreamRequest.closed).toEqual({ beforeResponseCompleted: true });
  });

  describe('with a Responses upstream (backend codex)', () => {
    it('passes reasoning state, text and tool calls through, and takes the encrypted reasoning back', async () => {
      responsesUpstream.enqueue({
        type: 'answer',
        reasoningSummary: ['Plan: ', 'call the tool.'],
        encryptedContent: 'gAAAA-opaque-state',
        text: ['Let me check.'],
        toolCalls: [{ callId: 'call_1', name: 'get_weather', argumentPieces: ['{"city":', '"Oslo"}'] }],
      });
      const stream = client.responses.stream({
        model: 'codex:gpt-5-codex',
        input: 'Weather in Oslo?',
        tools: [WEATHER_TOOL],
        reasoning: { effort: 'medium', summary: 'auto' },
        store: false,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'session-abc',
      });
      const final = await stream.finalResponse();
      expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
      const reasoning = final.output[0] as OpenAI.Responses.ResponseReasoningItem;
      expect(reasoning.encrypted_content).toBe('gAAAA-opaque-state');
      expect(reasoning.summary).toEqual([{ type: 'summary_text', text: 'Plan: call the tool.' }]);
      expect(final.usage).toMatchObject({ input_tokens: 21, input_tokens_details: { cached_tokens: 5 }, output_tokens_details: { reasoning_tokens: 4 } });
      expect(responsesUpstream.requests.at(-1)?.body).toMatchObject({
        model: 'gpt-5-codex',
        store: false,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'session-abc',
        reasoning: { effort: 'medium', summary: 'auto' },
        stream: true,
        tools: [WEATHER_TOOL],
      });

      // Stateless follow-up, as Codex CLI sends it: the whole history, encrypted reasoning included.
      responsesUpstream.enqueue({ type: 'answer', text: ['Oslo is 4C.'] });
      const followUp = await client.responses.create({
        model: 'codex:gpt-5-codex',
        store: false,
        input: [
          { role: 'user', content: 'Weather in Oslo?' },
          { type: 'reasoning', id: reasoning.id, summary: reasoning.summary, encrypted_content: reasoning.encrypted_content ?? null },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
          { type: 'function_call_output', call_id: 'call_1', output: '4C' },
        ],
      });
      expect(followUp.output_text).toBe('Oslo is 4C.');
      expect((responsesUpstream.requests.at(-1)?.body as { input: unknown }).input).toEqual([
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan: call the tool.' }], encrypted_content: 'gAAAA-opaque-state' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '4C' },
      ]);
    });

    it('a Responses client talks to a Chat Completions backend and a Chat client to a Responses backend', async () => {
      responsesUpstream.enqueue({ type: 'answer', text: ['From', ' Responses'] });
      const chatStream = await client.chat.completions.create({
        model: 'codex:gpt-5-codex',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      const pieces: string[] = [];
      for await (const chunk of chatStream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) pieces.push(content);
      }
      expect(pieces).toEqual(['From', ' Responses']);
      expect(responsesUpstream.requests.at(-1)?.body).toMatchObject({
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      });
    });
  });
});
