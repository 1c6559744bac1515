/**
 * The Gemini front-end's pure parts: request parsing (ids, signatures, tools, config, extras),
 * the round trip client → canonical → Gemini upstream, and response and stream rendering.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatResponse } from '@llmproxy/connector-sdk';
import { replayChatResponse } from '../../../src/canonical/replay-chat-response.js';
import { parseGeminiModelAction, parseGeminiRequest, renderGeminiResponse, renderGeminiStream, toGeminiRequest } from '../../../src/protocols/gemini/index.js';

const CALL = { stream: false, sse: false };

function parse(body: unknown): ReturnType<typeof parseGeminiRequest>['request'] {
  return parseGeminiRequest(body, 'openai:gpt-4o', CALL).request;
}

function failure(action: () => unknown): LlmProxyError {
  try {
    action();
  } catch (error) {
    if (LlmProxyError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

async function* eventsOf(...events: ChatEvent[]): AsyncGenerator<ChatEvent> {
  yield* events;
}

async function framesOf(events: AsyncIterable<ChatEvent>, sse = true): Promise<string[]> {
  const frames: string[] = [];
  for await (const frame of renderGeminiStream(events, { sse })) frames.push(frame);
  return frames;
}

/** The JSON of each `data:` frame. */
function chunksOf(frames: readonly string[]): Array<Record<string, any>> {
  return frames.map((frame) => {
    expect(frame.startsWith('data: ')).toBe(true);
    expect(frame.endsWith('\r\n\r\n')).toBe(true);
    return JSON.parse(frame.slice('data: '.length)) as Record<string, any>;
  });
}

describe('parseGeminiModelAction', () => {
  it('splits the wildcard path at the last colon, keeping colons and slashes of the model', () => {
    expect(parseGeminiModelAction({ modelAndAction: ['openai:gpt-4o:streamGenerateContent'] })).toEqual({ model: 'openai:gpt-4o', action: 'streamGenerateContent' });
    expect(parseGeminiModelAction({ modelAndAction: ['openrouter:meta', 'llama-3:generateContent'] })).toEqual({ model: 'openrouter:meta/llama-3', action: 'generateContent' });
    expect(failure(() => parseGeminiModelAction({ modelAndAction: ['gemini-2.5-pro'] })).httpStatus).toBe(404);
  });
});

describe('parseGeminiRequest', () => {
  it('reads contents, system instruction (snake_case too), images and generation config', () => {
    const request = parse({
      system_instruction: { parts: [{ text: 'You are terse.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Describe' },
            { inline_data: { mime_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/a.jpg' } },
          ],
        },
      ],
      generationConfig: {
        temperature: 0.3,
        topP: 0.8,
        topK: 64,
        maxOutputTokens: 100,
        stopSequences: ['STOP'],
        candidateCount: 1,
        thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
      },
    });
    expect(request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
        ],
      },
    ]);
    expect(request).toMatchObject({ model: 'openai:gpt-4o', stream: false, temperature: 0.3, topP: 0.8, maxOutputTokens: 100, stop: ['STOP'], reasoning: { budgetTokens: 1024 } });
    expect(request.providerOptions).toEqual({ gemini: { topK: 64 } });
    expect(request.protocolExtras).toEqual({ protocol: 'gemini', fields: {} });
  });

  it('gives id-less function calls ids by position and pairs responses by id, then by name and order', () => {
    const request = parse({
      contents: [
        { role: 'user', parts: [{ text: 'Look up a, b and c' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'lookup', args: { key: 'a' } } },
            { functionCall: { name: 'lookup', args: { key: 'b' } } },
            { functionCall: { id: 'own-id', name: 'fetch', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'own-id', name: 'fetch', response: { output: 'fetched' } } },
            { functionResponse: { name: 'lookup', response: { value: 1 } } },
            { functionResponse: { name: 'lookup', response: { error: 'missing' } } },
          ],
        },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'tool-call', id: 'call_1_0', name: 'lookup', arguments: '{"key":"a"}' },
        { type: 'tool-call', id: 'call_1_1', name: 'lookup', arguments: '{"key":"b"}' },
        { type: 'tool-call', id: 'own-id', name: 'fetch', arguments: '{}' },
      ],
    });
    expect(request.messages[2]).toEqual({
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: 'own-id', content: [{ type: 'text', text: 'fetched' }] },
        { type: 'tool-result', toolCallId: 'call_1_0', content: [{ type: 'text', text: '{"value":1}' }] },
        { type: 'tool-result', toolCallId: 'call_1_1', content: [{ type: 'text', text: 'missing' }], isError: true },
      ],
    });
    // The same history gives the same ids every time.
    expect(parse({ contents: [{ role: 'model', parts: [{ functionCall: { name: 'lookup', args: {} } }] }] }).messages[0]?.content[0]).toMatchObject({ id: 'call_0_0' });
  });

  it('reads declarations (OpenAPI types lowered), tool config and thinking levels, and keeps the rest as extras', () => {
    const request = parse({
      contents: [{ parts: [{ text: 'x' }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'read_file',
              description: 'Reads a file',
              parameters: { type: 'OBJECT', properties: { path: { type: 'STRING' }, type: { type: 'ARRAY', items: { type: 'INTEGER' } } }, required: ['path'] },
            },
            { name: 'shell', parametersJsonSchema: { type: 'object', properties: { command: { type: 'string' } }, additionalProperties: false } },
            { name: 'noop' },
          ],
        },
        { googleSearch: {} },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['read_file', 'shell'] } },
      generationConfig: { thinkingConfig: { thinkingLevel: 'HIGH' }, responseMimeType: 'text/plain', seed: 7 },
      safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }],
    });
    expect(request.tools).toEqual([
      {
        name: 'read_file',
        description: 'Reads a file',
        parameters: { type: 'object', properties: { path: { type: 'string' }, type: { type: 'array', items: { type: 'integer' } } }, required: ['path'] },
      },
      { name: 'shell', parameters: { type: 'object', properties: { command: { type: 'string' } }, additionalProperties: false } },
    ]);
    expect(request.toolChoice).toBe('required');
    expect(request.reasoning).toEqual({ effort: 'high' });
    expect(request.protocolExtras?.fields).toEqual({
      'tools.googleSearch': {},
      'generationConfig.responseMimeType': 'text/plain',
      'generationConfig.seed': 7,
      safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }],
    });
    expect(parse({ contents: [{ parts: [{ text: 'x' }] }], tools: [{ functionDeclarations: [{ name: 'f' }] }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } } }).toolChoice).toEqual({ name: 'f' });
    expect(parse({ contents: [{ parts: [{ text: 'x' }] }], toolConfig: { functionCallingConfig: { mode: 'NONE' } } }).toolChoice).toBe('none');
    expect(parse({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig: { thinkingBudget: -1 } } }).reasoning).toEqual({});
  });

  it('names the bad field in its errors', () => {
    expect(failure(() => parse({})).message).toContain("'contents'");
    const badRole = failure(() => parse({ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }));
    expect(badRole).toMatchObject({ code: 'CHAT_REQUEST_INVALID', httpStatus: 400, details: { param: 'contents[0].role' } });
    const badArgs = failure(() => parse({ contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: [1] } }] }] }));
    expect(badArgs.details['param']).toBe('contents[0].parts[0].functionCall.args');
    const code = failure(() => parse({ contents: [{ role: 'model', parts: [{ executableCode: { code: 'print(1)' } }] }] }));
    expect(code).toMatchObject({ code: 'CHAT_REQUEST_UNSUPPORTED', details: { param: 'contents[0].parts[0].executableCode' } });
    expect(failure(() => parse({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { candidateCount: 2 } })).code).toBe('CHAT_REQUEST_UNSUPPORTED');
  });
});

describe('a Gemini client history sent on to a Gemini backend', () => {
  it('comes out as it went in: thoughts, signatures on function calls and on thoughts, function responses', () => {
    const contents = [
      { role: 'user', parts: [{ text: 'List the files, then read the first one.' }] },
      {
        role: 'model',
        parts: [
          { text: 'I should list first.', thought: true },
          { functionCall: { name: 'list_files', args: { dir: '.' } }, thoughtSignature: 'c2lnLWxpc3Q=' },
          { functionCall: { name: 'stat', args: { dir: '.' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'list_files', response: { files: ['a.txt'] } } },
          { functionResponse: { name: 'stat', response: { output: 'ok' } } },
        ],
      },
      {
        role: 'model',
        parts: [
          { text: 'Now read it.', thought: true, thoughtSignature: 'c2lnLXRob3VnaHQ=' },
          { text: 'Second thought.', thought: true },
          { functionCall: { name: 'read_file', args: { path: 'a.txt' } }, thoughtSignature: 'c2lnLXJlYWQ=' },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'read_file', response: { output: 'hello' } } }] },
      { role: 'model', parts: [{ text: 'The file says hello.', thoughtSignature: 'c2lnLXRleHQ=' }] },
      { role: 'user', parts: [{ text: 'Thanks' }] },
    ];
    const request = parseGeminiRequest({ contents }, 'gemini:gemini-2.5-pro', { stream: true, sse: true }).request;
    expect(toGeminiRequest({ ...request, model: 'gemini-2.5-pro' }, { backendName: 'gemini' }).contents).toEqual(contents);
  });
});

const TOOL_ANSWER: ChatResponse = {
  id: 'chatcmpl-1',
  model: 'gpt-4o',
  created: 1_700_000_000,
  content: [
    { type: 'reasoning', text: 'Thinking it over.', signature: 'c2ln' },
    { type: 'text', text: 'Calling two tools.' },
    { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'tool-call', id: 'call_b', name: 'get_time', arguments: '' },
  ],
  finishReason: 'tool-calls',
  usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18, cachedInputTokens: 3, reasoningTokens: 2 },
};

describe('renderGeminiResponse', () => {
  it('renders thoughts, text and function calls with ids, STOP and usage', () => {
    expect(renderGeminiResponse(TOOL_ANSWER)).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Thinking it over.', thought: true },
              { text: 'Calling two tools.', thoughtSignature: 'c2ln' },
              { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } } },
              { functionCall: { id: 'call_b', name: 'get_time', args: {} } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 5, thoughtsTokenCount: 2, cachedContentTokenCount: 3, totalTokenCount: 18 },
      modelVersion: 'gpt-4o',
      responseId: 'chatcmpl-1',
    });
  });

  it('leaves out a call whose arguments are not a JSON object and reports MALFORMED_FUNCTION_CALL', () => {
    const rendered = renderGeminiResponse({ ...TOOL_ANSWER, content: [{ type: 'tool-call', id: 'x', name: 'broken', arguments: '{"a":' }], usage: undefined });
    const candidate = rendered.candidates?.[0];
    expect(candidate?.content?.parts).toEqual([]);
    expect(candidate?.finishReason).toBe('MALFORMED_FUNCTION_CALL');
    expect(candidate?.finishMessage).toContain('broken');
    expect(rendered.usageMetadata).toBeUndefined();
  });

  it('gives Anthropic redacted thinking to the client as an opaque signature it hands back', () => {
    const rendered = renderGeminiResponse({ ...TOOL_ANSWER, content: [{ type: 'reasoning', text: '', redactedData: 'EmwKAhgB' }, { type: 'text', text: 'Hi' }] });
    expect(rendered.candidates?.[0]?.content?.parts).toEqual([{ text: 'Hi', thoughtSignature: 'llmproxy.redacted_thinking:EmwKAhgB' }]);
  });

  it('maps every finish reason', () => {
    const finish = (finishReason: ChatResponse['finishReason']) => renderGeminiResponse({ ...TOOL_ANSWER, content: [], finishReason }).candidates?.[0]?.finishReason;
    expect([finish('stop'), finish('length'), finish('content-filter'), finish('error'), finish('other')]).toEqual(['STOP', 'MAX_TOKENS', 'SAFETY', 'OTHER', 'OTHER']);
  });
});

describe('renderGeminiStream', () => {
  it('streams text at once, holds tool-call pieces until the arguments are whole, and ends with finish and usage', async () => {
    const frames = await framesOf(
      eventsOf(
        { type: 'response-start', id: 'chatcmpl-2', model: 'gpt-4o', created: 1 },
        { type: 'reasoning-delta', text: 'Hmm' },
        { type: 'reasoning-delta', text: '', signature: 'c2ln' },
        { type: 'text-delta', text: 'Hel' },
        { type: 'text-delta', text: 'lo' },
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city"' },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{"tz":"CET"}' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: ':"Paris"}' },
        { type: 'finish', finishReason: 'tool-calls' },
        { type: 'usage', usage: { inputTokens: 5, outputTokens: 4 } },
      ),
    );
    const chunks = chunksOf(frames);
    expect(chunks.map((chunk) => chunk['candidates'][0].content.parts)).toEqual([
      [{ text: 'Hmm', thought: true }],
      [{ text: 'Hel', thoughtSignature: 'c2ln' }],
      [{ text: 'lo' }],
      // Call b was complete first but waits for call a, which started before it.
      [
        { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } } },
        { functionCall: { id: 'call_b', name: 'get_time', args: { tz: 'CET' } } },
      ],
      [],
    ]);
    expect(chunks.at(-1)).toEqual({
      candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 },
      modelVersion: 'gpt-4o',
      responseId: 'chatcmpl-2',
    });
  });

  it('frames a stream without alt=sse as one JSON array', async () => {
    const frames = await framesOf(replayChatResponse(TOOL_ANSWER), false);
    const body = JSON.parse(frames.join('')) as Array<Record<string, any>>;
    expect(Array.isArray(body)).toBe(true);
    expect(body.at(-1)?.['candidates'][0].finishReason).toBe('STOP');
    expect(body.flatMap((chunk) => chunk['candidates'][0].content.parts)).toEqual(renderGeminiResponse(TOOL_ANSWER).candidates?.[0]?.content?.parts);
  });

  it('rethrows an error before the first frame and sends a Gemini error chunk after it', async () => {
    const early = new UpstreamError({ backend: 'openai', status: 429, error: { message: 'Slow down', type: 'rate_limit_error' } });
    const failingAtOnce: AsyncIterable<ChatEvent> = { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(early) }) };
    await expect(framesOf(failingAtOnce)).rejects.toBe(early);

    async function* failingLater(): AsyncGenerator<ChatEvent> {
      yield { type: 'response-start', id: 'r', model: 'm', created: 1 };
      yield { type: 'text-delta', text: 'partial' };
      throw early;
    }
    const chunks = chunksOf(await framesOf(failingLater()));
    expect(chunks.at(-1)).toEqual({ error: { code: 429, message: 'Slow down', status: 'RESOURCE_EXHAUSTED' } });
  });

  it('reports a tool call whose arguments never became a JSON object as MALFORMED_FUNCTION_CALL', async () => {
    const chunks = chunksOf(
      await framesOf(
        eventsOf(
          { type: 'response-start', id: 'r', model: 'm', created: 1 },
          { type: 'tool-call-start', index: 0, id: 'c', name: 'broken' },
          { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
          { type: 'finish', finishReason: 'tool-calls' },
        ),
      ),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.['candidates'][0]).toMatchObject({ finishReason: 'MALFORMED_FUNCTION_CALL', finishMessage: expect.stringContaining('broken') });
  });
});
