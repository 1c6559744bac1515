/**
 * The pure Gemini conversions of the connector side: canonical request → Gemini body, Gemini
 * chunks and answers → canonical events and responses, Gemini error bodies → upstream errors.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest } from '@llmproxy/connector-sdk';
import { collectChatStream } from '../../../src/canonical/collect-chat-stream.js';
import {
  FOREIGN_THOUGHT_SIGNATURE,
  fromGeminiResponse,
  parseGoogleDuration,
  readGeminiStream,
  readGeminiUpstreamError,
  toGeminiRequest,
} from '../../../src/protocols/gemini/index.js';

const OPTIONS = { backendName: 'gemini' };
const STREAM_OPTIONS = { backendName: 'gemini', requestedModel: 'gemini-2.5-flash' };

function request(overrides: Partial<ChatRequest>): ChatRequest {
  return { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, ...overrides };
}

async function* chunksOf(...chunks: unknown[]): AsyncGenerator<unknown> {
  yield* chunks;
}

async function eventsOf(...chunks: unknown[]): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of readGeminiStream(chunksOf(...chunks), STREAM_OPTIONS)) events.push(event);
  return events;
}

async function failureOf(promise: Promise<unknown>): Promise<LlmProxyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!LlmProxyError.is(error)) throw new Error(`expected an LlmProxyError, got ${String(error)}`);
  return error;
}

describe('toGeminiRequest', () => {
  it('turns a conversation with parallel tool calls into alternating Gemini contents', () => {
    const body = toGeminiRequest(
      request({
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Weather and time in Paris?' },
              { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/map.jpg' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { type: 'tool-call', id: 'call_b', name: 'get_time', arguments: '{"tz":"CET"}' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_a', content: [{ type: 'text', text: '{"celsius":21}' }] }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_b', content: [{ type: 'text', text: '14:05' }] }] },
          { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
        ],
      }),
      OPTIONS,
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Weather and time in Paris?' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/map.jpg' } },
        ],
      },
      {
        role: 'model',
        parts: [
          // No signature came with these calls (an OpenAI client cannot keep one): the documented stand-in.
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: FOREIGN_THOUGHT_SIGNATURE },
          { functionCall: { name: 'get_time', args: { tz: 'CET' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { celsius: 21 } } },
          { functionResponse: { name: 'get_time', response: { output: '14:05' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('gives a reasoning signature to the part that follows it and keeps signed thoughts', () => {
    const body = toGeminiRequest(
      request({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Go' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'Planning the call.', signature: 'c2lnLWNhbGw=' },
              { type: 'tool-call', id: 'call_1', name: 'search', arguments: '{"q":"x"}' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: 'failed' }], isError: true }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'First thought.', signature: 'c2lnLTE=' },
              { type: 'reasoning', text: 'Second thought.' },
              { type: 'text', text: 'Done.' },
              { type: 'reasoning', text: '', signature: 'c2lnLWVuZA==' },
            ],
          },
        ],
      }),
      OPTIONS,
    );
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'Planning the call.', thought: true }, { functionCall: { name: 'search', args: { q: 'x' } }, thoughtSignature: 'c2lnLWNhbGw=' }],
    });
    expect(body.contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'search', response: { error: 'failed' } } }] });
    expect(body.contents[3]).toEqual({
      role: 'model',
      parts: [
        { text: 'First thought.', thought: true, thoughtSignature: 'c2lnLTE=' },
        { text: 'Second thought.', thought: true },
        { text: 'Done.' },
        { text: '', thought: true, thoughtSignature: 'c2lnLWVuZA==' },
      ],
    });
  });

  it('leaves out signatures Gemini could not decode, and redacted thinking', () => {
    const body = toGeminiRequest(
      request({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Go' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: '', redactedData: 'EmwKAhgBEgy3va3pzix' },
              { type: 'reasoning', text: '', signature: 'llmproxy.redacted_thinking:EmwKAhgBEgy3va3pzix' },
              { type: 'tool-call', id: 'call_1', name: 'search', arguments: '{}' },
            ],
          },
        ],
      }),
      OPTIONS,
    );
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'search', args: {} }, thoughtSignature: FOREIGN_THOUGHT_SIGNATURE }] });
  });

  it('maps tools, tool choice, sampling, stop sequences and thinking', () => {
    const body = toGeminiRequest(
      {
        ...request({
          tools: [{ name: 'lookup', description: 'Looks up', parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } }],
          toolChoice: { name: 'lookup' },
          temperature: 0.2,
          topP: 0.9,
          maxOutputTokens: 512,
          stop: ['END'],
          reasoning: { budgetTokens: 2048 },
        }),
        providerOptions: { gemini: { topK: 40 } },
      } as ChatRequest,
      OPTIONS,
    );
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'lookup', description: 'Looks up', parametersJsonSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } });
    expect(body.generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 512,
      stopSequences: ['END'],
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    });
    expect(toGeminiRequest(request({ toolChoice: 'required' }), OPTIONS).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(toGeminiRequest(request({ toolChoice: 'none' }), OPTIONS).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(toGeminiRequest(request({ reasoning: { effort: 'high' } }), OPTIONS).generationConfig?.thinkingConfig).toEqual({
      thinkingBudget: 32768,
      includeThoughts: true,
    });
    expect(toGeminiRequest(request({ model: 'gemini-3-pro-preview', reasoning: { effort: 'low' } }), OPTIONS).generationConfig?.thinkingConfig).toEqual({
      thinkingLevel: 'LOW',
      includeThoughts: true,
    });
    expect(toGeminiRequest(request({ reasoning: { budgetTokens: 0 } }), OPTIONS).generationConfig?.thinkingConfig).toEqual({ thinkingBudget: 0 });
  });

  it('puts a Gemini client’s extras back where they came from', () => {
    const body = toGeminiRequest(
      request({
        temperature: 0.5,
        protocolExtras: {
          protocol: 'gemini',
          fields: {
            'generationConfig.responseMimeType': 'application/json',
            'generationConfig.thinkingConfig.futureKnob': 1,
            'tools.googleSearch': {},
            'toolConfig.retrievalConfig': { languageCode: 'en' },
            safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
          },
        },
      }),
      OPTIONS,
    );
    expect(body.generationConfig).toEqual({ temperature: 0.5, responseMimeType: 'application/json', thinkingConfig: { futureKnob: 1 } });
    expect(body.tools).toEqual([{ googleSearch: {} }]);
    expect(body.toolConfig).toEqual({ retrievalConfig: { languageCode: 'en' } });
    expect(body['safetySettings']).toEqual([{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]);
  });

  it('refuses what Gemini cannot take, naming the field', () => {
    const fromOpenAI = () => toGeminiRequest(request({ protocolExtras: { protocol: 'openai-chat', fields: { logit_bias: { 1: 2 } } } }), OPTIONS);
    expect(fromOpenAI).toThrow(expect.objectContaining({ code: 'REQUEST_NOT_TRANSLATABLE', message: expect.stringContaining('`logit_bias`') }));

    const orphanResult = () =>
      toGeminiRequest(request({ messages: [{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'nowhere', content: [] }] }] }), OPTIONS);
    expect(orphanResult).toThrow(expect.objectContaining({ code: 'REQUEST_NOT_TRANSLATABLE', message: expect.stringContaining('messages[0].content[0].toolCallId') }));

    const badArguments = () =>
      toGeminiRequest(request({ messages: [{ role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{"unterminated' }] }] }), OPTIONS);
    expect(badArguments).toThrow(expect.objectContaining({ code: 'REQUEST_NOT_TRANSLATABLE', message: expect.stringContaining('messages[0].content[0].arguments') }));
  });
});

describe('readGeminiStream', () => {
  it('passes text and thoughts on as they come and a signed function call as one start and one delta', async () => {
    const events = await eventsOf(
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Let me think', thought: true }] }, index: 0 }], responseId: 'r1', modelVersion: 'gemini-2.5-flash-001' },
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Checking.' }] }, index: 0 }] },
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' },
                { functionCall: { name: 'get_time', args: {} } },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 6, thoughtsTokenCount: 4, cachedContentTokenCount: 2, totalTokenCount: 20 },
      },
    );
    expect(events[0]).toMatchObject({ type: 'response-start', id: 'r1', model: 'gemini-2.5-flash-001' });
    const ids = events.filter((event) => event.type === 'tool-call-start').map((event) => (event as { id: string }).id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(events.slice(1)).toEqual([
      { type: 'reasoning-delta', text: 'Let me think' },
      { type: 'text-delta', text: 'Checking.' },
      { type: 'reasoning-delta', text: '', signature: 'c2ln' },
      { type: 'tool-call-start', index: 0, id: ids[0], name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Paris"}' },
      { type: 'tool-call-start', index: 1, id: ids[1], name: 'get_time' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20, cachedInputTokens: 2, reasoningTokens: 4 } },
    ]);
  });

  it('folds a signature on the part after a thought into that thought, as collecting does', async () => {
    const response = await collectChatStream(
      readGeminiStream(
        chunksOf(
          { candidates: [{ content: { parts: [{ text: 'Plan', thought: true }] } }] },
          { candidates: [{ content: { parts: [{ text: '', thought: true, thoughtSignature: 'c2lnLTE=' }] } }] },
          { candidates: [{ content: { parts: [{ text: 'Answer' }] }, finishReason: 'MAX_TOKENS' }] },
        ),
        STREAM_OPTIONS,
      ),
    );
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Plan', signature: 'c2lnLTE=' },
      { type: 'text', text: 'Answer' },
    ]);
    expect(response.finishReason).toBe('length');
  });

  it('maps safety stops and blocked prompts to content-filter', async () => {
    expect((await eventsOf({ candidates: [{ content: { parts: [] }, finishReason: 'SAFETY' }] })).at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
    expect((await eventsOf({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } })).at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });

  it('throws an error chunk as the upstream error, a broken stream as interrupted, and images as not translatable', async () => {
    const streamError = await failureOf(eventsOf({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }));
    expect(streamError).toBeInstanceOf(UpstreamError);
    expect((streamError as UpstreamError).upstreamStatus).toBe(503);
    expect((streamError as UpstreamError).upstreamError).toEqual({ message: 'The model is overloaded.', type: 'UNAVAILABLE' });

    expect((await failureOf(eventsOf({ candidates: [{ content: { parts: [{ text: 'Hel' }] } }] }))).code).toBe('UPSTREAM_STREAM_INTERRUPTED');
    const image = await failureOf(eventsOf({ candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' } }] }, finishReason: 'STOP' }] }));
    expect(image.code).toBe('RESPONSE_NOT_TRANSLATABLE');
    const code = await failureOf(eventsOf({ candidates: [{ content: { parts: [{ executableCode: { language: 'PYTHON', code: '1' } }] }, finishReason: 'STOP' }] }));
    expect(code.code).toBe('RESPONSE_NOT_TRANSLATABLE');
    expect(code.message).toContain('executableCode');
  });
});

describe('fromGeminiResponse', () => {
  it('reads a whole answer with its extras kept for Gemini clients', async () => {
    const response = await fromGeminiResponse(
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'Hi there', thoughtSignature: 'c2ln' }] },
            finishReason: 'STOP',
            index: 0,
            safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }],
          },
        ],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'resp-9',
      },
      STREAM_OPTIONS,
    );
    expect(response).toMatchObject({
      id: 'resp-9',
      model: 'gemini-2.5-flash',
      content: [
        { type: 'reasoning', text: '', signature: 'c2ln' },
        { type: 'text', text: 'Hi there' },
      ],
      finishReason: 'stop',
      usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
      protocolExtras: { protocol: 'gemini', fields: { candidate: { safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }] } } },
    });
  });
});

describe('readGeminiUpstreamError', () => {
  it('reads the status, message, RetryInfo delay and a refused key', () => {
    const rateLimited = readGeminiUpstreamError(
      429,
      JSON.stringify({
        error: {
          code: 429,
          message: 'Quota exceeded.',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '6.2s' }],
        },
      }),
      {},
      'gemini',
    );
    expect(rateLimited.retryAfterSeconds).toBe(7);
    expect(rateLimited.rejectedCredentials).toBe(false);
    expect(rateLimited.error.upstreamStatus).toBe(429);
    expect(rateLimited.error.upstreamError).toEqual({ message: 'Quota exceeded.', type: 'RESOURCE_EXHAUSTED' });
    expect(rateLimited.error.upstreamHeaders).toEqual({ 'retry-after': '7' });

    const invalidKey = readGeminiUpstreamError(
      400,
      JSON.stringify({
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
        },
      }),
      {},
      'gemini',
    );
    expect(invalidKey.rejectedCredentials).toBe(true);
    expect(invalidKey.error.upstreamError.code).toBe('API_KEY_INVALID');

    const quotaReset = readGeminiUpstreamError(
      429,
      JSON.stringify({ error: { code: 429, message: 'x', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', metadata: { quotaResetDelay: '1m30s' } }] } }),
      {},
      'gemini',
    );
    expect(quotaReset.retryAfterSeconds).toBe(90);

    const html = readGeminiUpstreamError(502, '<html><body>Bad gateway</body></html>', {}, 'gemini');
    expect(html.error.upstreamError.message).toBe('The upstream answered HTTP 502: <html><body>Bad gateway</body></html>');
  });

  it('parses google.protobuf.Duration values', () => {
    expect(parseGoogleDuration('7s')).toBe(7);
    expect(parseGoogleDuration('0.25s')).toBe(1);
    expect(parseGoogleDuration('2h3m4s')).toBe(7384);
    expect(parseGoogleDuration('500ms')).toBe(1);
    expect(parseGoogleDuration('soon')).toBeUndefined();
    expect(parseGoogleDuration('')).toBeUndefined();
  });
});
