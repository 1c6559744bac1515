/**
 * The official Google GenAI SDK as the client of the Gemini front-end over real HTTP, with the
 * real openai and gemini connectors behind it talking to the fake upstreams: text, parallel
 * tool calls streamed in pieces, thinking with signatures, finish reasons, usage, errors in
 * Gemini format, the model list, and a delayed upstream proving the stream is incremental.
 * Also the reverse pair: the OpenAI SDK through the OpenAI front-end to the gemini backend.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, GoogleGenAI, type Content, type GenerateContentResponse } from '@google/genai';
import OpenAI from 'openai';
import { rateLimitedReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { startFakeGeminiUpstream, geminiRateLimitedReply, type FakeGeminiUpstream } from '../../support/fake-gemini-upstream.js';
import { GEMINI_UPSTREAM_KEY, OPENAI_UPSTREAM_KEY, startGeminiTestProxy, type GeminiTestProxy } from './start-gemini-test-proxy.js';

let openAIUpstream: FakeOpenAIUpstream;
let geminiUpstream: FakeGeminiUpstream;
let proxy: GeminiTestProxy;
let ai: GoogleGenAI;

beforeAll(async () => {
  openAIUpstream = await startFakeOpenAIUpstream({ apiKey: OPENAI_UPSTREAM_KEY });
  geminiUpstream = await startFakeGeminiUpstream({ apiKeys: [GEMINI_UPSTREAM_KEY] });
  proxy = await startGeminiTestProxy({ openAIBaseUrl: openAIUpstream.baseUrl, geminiBaseUrl: geminiUpstream.baseUrl });
  // The SDK's own Undici dispatcher lives on Node's real global, which jest's sandbox hides;
  // the sandbox's fetch does the same job.
  ai = new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: proxy.url, fetch: (input, init) => fetch(input, init) } });
});

afterAll(async () => {
  await proxy.close();
  await openAIUpstream.close();
  await geminiUpstream.close();
});

async function collect(stream: AsyncGenerator<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The answer text of streamed chunks, read from their parts (the SDK's `text` getter warns beside function calls). */
function textOf(chunks: readonly GenerateContentResponse[]): string {
  return chunks
    .flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
    .filter((part) => part.thought !== true)
    .map((part) => part.text ?? '')
    .join('');
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

const WEATHER_TOOLS = [
  {
    functionDeclarations: [
      { name: 'get_weather', description: 'Weather for a city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'get_time', description: 'Time in a zone', parametersJsonSchema: { type: 'object', properties: { tz: { type: 'string' } } } },
    ],
  },
];

describe('the Google GenAI SDK through the Gemini front-end to an OpenAI backend', () => {
  it('gets text, finish reason and usage from generateContent, with the request translated', async () => {
    openAIUpstream.enqueue({ type: 'answer', text: ['Hello', ' there'] });
    const response = await ai.models.generateContent({
      model: 'openai:gpt-4o-mini',
      contents: 'Say hello',
      config: { systemInstruction: 'Be brief.', temperature: 0.2, maxOutputTokens: 50, stopSequences: ['END'] },
    });
    expect(response.text).toBe('Hello there');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata).toEqual({ promptTokenCount: 11, candidatesTokenCount: 5, thoughtsTokenCount: 2, cachedContentTokenCount: 3, totalTokenCount: 18 });
    expect(response.modelVersion).toBe('gpt-4o-mini');
    expect(openAIUpstream.requests.at(-1)?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      temperature: 0.2,
      max_completion_tokens: 50,
      stop: ['END'],
    });
  });

  it('streams parallel tool calls whose arguments came in pieces as whole function calls, and sends the results back by id', async () => {
    openAIUpstream.enqueue({
      type: 'answer',
      text: ['Checking.'],
      toolCalls: [
        { id: 'call_a', name: 'get_weather', argumentPieces: ['{"ci', 'ty":"Pa', 'ris"}'] },
        { id: 'call_b', name: 'get_time', argumentPieces: ['{"tz":', '"CET"}'] },
      ],
    });
    const chunks = await collect(
      await ai.models.generateContentStream({ model: 'openai:gpt-4o-mini', contents: 'Weather and time in Paris?', config: { tools: WEATHER_TOOLS } }),
    );
    const calls = chunks.flatMap((chunk) => chunk.functionCalls ?? []);
    expect(calls).toEqual([
      { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } },
      { id: 'call_b', name: 'get_time', args: { tz: 'CET' } },
    ]);
    expect(textOf(chunks)).toBe('Checking.');
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(openAIUpstream.requests.at(-1)?.body).toMatchObject({ stream: true, tools: [{ function: { name: 'get_weather' } }, { function: { name: 'get_time' } }] });

    const modelTurn: Content = { role: 'model', parts: chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []) };
    openAIUpstream.enqueue({ type: 'answer', text: ['Sunny, 14:05.'] });
    const followUp = await ai.models.generateContent({
      model: 'openai:gpt-4o-mini',
      contents: [
        { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
        modelTurn,
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'call_a', name: 'get_weather', response: { output: 'sunny' } } },
            { functionResponse: { id: 'call_b', name: 'get_time', response: { output: '14:05' } } },
          ],
        },
      ],
      config: { tools: WEATHER_TOOLS },
    });
    expect(followUp.text).toBe('Sunny, 14:05.');
    const sent = openAIUpstream.requests.at(-1)?.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_b', content: '14:05' },
    ]);
  });

  it('shows reasoning as thought parts and maps length to MAX_TOKENS', async () => {
    openAIUpstream.enqueue({ type: 'answer', reasoning: ['Let me ', 'think.'], text: ['Partial'], finishReason: 'length' });
    const chunks = await collect(
      await ai.models.generateContentStream({
        model: 'openai:gpt-4o-mini',
        contents: 'Think hard',
        config: { thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' as never } },
      }),
    );
    const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
    expect(parts.filter((part) => part.thought === true).map((part) => part.text).join('')).toBe('Let me think.');
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(openAIUpstream.requests.at(-1)?.body).toMatchObject({ reasoning_effort: 'high' });
  });

  it('delivers the first translated chunk before the upstream finished', async () => {
    // Frames: role, 'first', then a long pause before ' second', ' third', finish and [DONE].
    openAIUpstream.enqueue({ type: 'answer', text: ['first', ' second', ' third'], chunkDelayMs: [0, 600] });
    const stream = await ai.models.generateContentStream({ model: 'openai:gpt-4o-mini', contents: 'Slowly' });
    const first = await stream.next();
    expect(first.done).toBe(false);
    expect((first.value as GenerateContentResponse).text).toBe('first');
    const seen = openAIUpstream.requests.at(-1);
    // The upstream has sent the role chunk and the first text chunk; its other chunks are still to come.
    expect(seen?.framesSent).toBe(2);
    const rest = await collect(stream);
    expect(rest.map((chunk) => chunk.text ?? '').join('')).toBe(' second third');
    expect((await seen?.closed)?.beforeResponseCompleted).toBe(false);
  });

  it('answers errors in Gemini format, before and during a stream', async () => {
    openAIUpstream.enqueue(rateLimitedReply(9));
    const limited = await apiErrorOf(ai.models.generateContent({ model: 'openai:gpt-4o-mini', contents: 'Hi' }));
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.message)).toEqual({
      error: { code: 429, message: expect.stringContaining('Rate limit reached'), status: 'RESOURCE_EXHAUSTED' },
    });

    const unknownBackend = await apiErrorOf(ai.models.generateContent({ model: 'nowhere:model', contents: 'Hi' }));
    expect(unknownBackend.status).toBe(404);
    expect(JSON.parse(unknownBackend.message).error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: expect.stringMatching(/^Backend not found/) });

    const invalid = await apiErrorOf(ai.models.generateContent({ model: 'openai:gpt-4o-mini', contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }));
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.message).error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringContaining('contents[0].role') });

    openAIUpstream.enqueue({
      type: 'raw-stream',
      frames: [
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'Half' }, finish_reason: null }] })}\n\n`,
        `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error' } })}\n\n`,
      ],
    });
    const stream = await ai.models.generateContentStream({ model: 'openai:gpt-4o-mini', contents: 'Hi' });
    const first = await stream.next();
    expect((first.value as GenerateContentResponse).text).toBe('Half');
    const midStream = await apiErrorOf(collect(stream));
    expect(midStream.status).toBe(502);
    expect(midStream.message).toContain('The server had an error while processing your request.');
  });
});

describe('the Google GenAI SDK through the Gemini front-end to the gemini backend', () => {
  it('keeps thoughts and the signature on the function call across a turn', async () => {
    geminiUpstream.enqueue({
      type: 'answer',
      chunks: [
        [{ text: 'I need the file list.', thought: true }],
        [{ functionCall: { name: 'list_files', args: { dir: '.' } }, thoughtSignature: 'c2lnLWxpc3Q=' }],
      ],
      usage: { promptTokenCount: 30, candidatesTokenCount: 8, thoughtsTokenCount: 12, cachedContentTokenCount: 10, totalTokenCount: 50 },
    });
    const chunks = await collect(
      await ai.models.generateContentStream({
        model: 'gemini:gemini-2.5-flash',
        contents: 'What files are here?',
        config: {
          tools: [{ functionDeclarations: [{ name: 'list_files', parametersJsonSchema: { type: 'object', properties: { dir: { type: 'string' } } } }] }],
          thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
          topK: 64,
        },
      }),
    );
    const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
    const call = parts.find((part) => part.functionCall !== undefined);
    expect(parts[0]).toEqual({ text: 'I need the file list.', thought: true });
    expect(call?.thoughtSignature).toBe('c2lnLWxpc3Q=');
    expect(call?.functionCall).toMatchObject({ name: 'list_files', args: { dir: '.' } });
    expect(chunks.at(-1)?.usageMetadata).toEqual({ promptTokenCount: 30, candidatesTokenCount: 8, thoughtsTokenCount: 12, cachedContentTokenCount: 10, totalTokenCount: 50 });
    expect(geminiUpstream.requests.at(-1)?.body).toMatchObject({
      generationConfig: { topK: 64, thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } },
    });

    geminiUpstream.enqueue({ type: 'answer', chunks: [[{ text: 'There is one file: a.txt', thoughtSignature: 'c2lnLXRleHQ=' }]] });
    const followUp = await ai.models.generateContent({
      model: 'gemini:gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'What files are here?' }] },
        { role: 'model', parts },
        { role: 'user', parts: [{ functionResponse: { id: call?.functionCall?.id, name: 'list_files', response: { files: ['a.txt'] } } }] },
      ],
    });
    expect(followUp.text).toBe('There is one file: a.txt');
    expect(followUp.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature).toBe('c2lnLXRleHQ=');
    expect((geminiUpstream.requests.at(-1)?.body as { contents: unknown }).contents).toEqual([
      { role: 'user', parts: [{ text: 'What files are here?' }] },
      {
        role: 'model',
        parts: [
          { text: 'I need the file list.', thought: true },
          { functionCall: { name: 'list_files', args: { dir: '.' } }, thoughtSignature: 'c2lnLWxpc3Q=' },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'list_files', response: { files: ['a.txt'] } } }] },
    ]);
  });

  it('passes a Gemini 429 on with its status name', async () => {
    geminiUpstream.enqueue(geminiRateLimitedReply('5s'));
    const error = await apiErrorOf(ai.models.generateContent({ model: 'gemini:gemini-2.5-flash', contents: 'Hi' }));
    expect(error.status).toBe(429);
    expect(JSON.parse(error.message).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', message: expect.stringContaining('exceeded your current quota') });
  });
});

describe('the Gemini model list and token counting', () => {
  it('lists every backend’s models as models/backend:model and describes one', async () => {
    const names: string[] = [];
    for await (const model of await ai.models.list()) names.push(model.name ?? '');
    expect(names).toEqual(expect.arrayContaining(['models/openai:gpt-4o-mini', 'models/openai:gpt-4o', 'models/gemini:gemini-2.5-flash', 'models/gemini:gemini-2.5-pro']));
    expect(names).not.toContain('models/gemini:text-embedding-004');
    const model = await ai.models.get({ model: 'gemini:gemini-2.5-pro' });
    expect(model).toMatchObject({ name: 'models/gemini:gemini-2.5-pro', supportedActions: expect.arrayContaining(['generateContent']) });
    const missing = await apiErrorOf(ai.models.get({ model: 'gemini:gemini-9' }));
    expect(missing.status).toBe(404);
  });

  it('estimates tokens for countTokens', async () => {
    const counted = await ai.models.countTokens({ model: 'openai:gpt-4o-mini', contents: 'a'.repeat(400) });
    expect(counted.totalTokens).toBe(100);
  });

  it('streams a JSON array when the client does not ask for alt=sse', async () => {
    openAIUpstream.enqueue({ type: 'answer', text: ['A', 'B'] });
    const response = await fetch(`${proxy.url}/v1beta/models/openai:gpt-4o-mini:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'client-key', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    const chunks = JSON.parse(await response.text()) as Array<{ candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason?: string }> }>;
    expect(chunks.flatMap((chunk) => chunk.candidates[0]?.content.parts.map((part) => part.text ?? '') ?? []).join('')).toBe('AB');
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
  });

  it('answers an unknown method with a Gemini 404', async () => {
    const response = await fetch(`${proxy.url}/v1beta/models/openai:gpt-4o-mini:embedContent`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });
});

describe('the OpenAI SDK through the OpenAI front-end to the gemini backend', () => {
  it('streams a Gemini function call as an OpenAI tool call and sends the result back as a named function response', async () => {
    const client = new OpenAI({ apiKey: 'client-key', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    geminiUpstream.enqueue({
      type: 'answer',
      chunks: [[{ text: 'Looking it up. ' }], [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'c2lnLW9zbG8=' }]],
    });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const runner = client.chat.completions.stream({ model: 'gemini:gemini-2.5-flash', messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools, stream_options: { include_usage: true } });
    const final = await runner.finalChatCompletion();
    const toolCall = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.content).toBe('Looking it up. ');
    expect(toolCall?.type === 'function' && toolCall.function).toEqual({ name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(final.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 8, prompt_tokens_details: { cached_tokens: 4 } });

    geminiUpstream.enqueue({ type: 'answer', chunks: [[{ text: 'Cold.' }]] });
    const followUp = await client.chat.completions.create({
      model: 'gemini:gemini-2.5-flash',
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [toolCall as OpenAI.ChatCompletionMessageToolCall] },
        { role: 'tool', tool_call_id: toolCall?.id ?? '', content: '-3 C' },
      ],
      tools,
    });
    expect(followUp.choices[0]?.message.content).toBe('Cold.');
    expect(geminiUpstream.requests.at(-1)?.body).toMatchObject({
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Oslo?' }] },
        // The OpenAI client could not keep Gemini's signature: the documented stand-in goes instead.
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'skip_thought_signature_validator' }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '-3 C' } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }],
    });
  });

  it('refuses OpenAI-only fields for the gemini backend, naming them', async () => {
    const client = new OpenAI({ apiKey: 'client-key', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    const error = await client.chat.completions
      .create({ model: 'gemini:gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }], logit_bias: { 50256: -100 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect((error as Error).message).toContain('`logit_bias`');
  });
});
