/**
 * @fileoverview Core's wire codecs, lent to every connector through `context.codecs`: the same
 * pure Gemini, OpenAI Chat and OpenAI Responses conversions the built-in connectors use, so a
 * connector package (which never imports core) converts exactly as core does.
 */
import type { GeminiWireCodec, OpenAIChatWireCodec, OpenAIResponsesWireCodec, WireCodecs } from '@llmproxy/connector-sdk';
import { fromGeminiResponse, parseGeminiEvents, readGeminiStream } from './gemini/read-gemini-stream.js';
import { parseGoogleDuration, readGeminiUpstreamError } from './gemini/read-gemini-upstream-error.js';
import { toGeminiRequest } from './gemini/to-gemini-request.js';
import { fromOpenAIChatCompletion } from './openai-chat/from-openai-chat-completion.js';
import { readOpenAIChatStream } from './openai-chat/read-openai-chat-stream.js';
import { readOpenAIUpstreamError } from './openai-chat/read-openai-upstream-error.js';
import { toOpenAIChatBody } from './openai-chat/to-openai-chat-body.js';
import { fromResponsesResponse } from './openai-responses/from-responses-response.js';
import { readResponsesStream } from './openai-responses/read-responses-stream.js';
import { toResponsesBody } from './openai-responses/to-responses-body.js';

const geminiCodec: GeminiWireCodec = {
  toRequest: (request, options) => toGeminiRequest(request, options) as unknown as Record<string, unknown>,
  fromResponse: (body, options) => fromGeminiResponse(body, options),
  readStream: (chunks, options) => readGeminiStream(chunks, options),
  parseEvents: (events, options) => parseGeminiEvents(events, options),
  readError: (status, text, headers, backendName) => readGeminiUpstreamError(status, text, headers, backendName),
  parseDuration: (value) => parseGoogleDuration(value),
};

const openaiChatCodec: OpenAIChatWireCodec = {
  toBody: (request, options) => toOpenAIChatBody(request, options) as unknown as Record<string, unknown>,
  fromResponse: (body, backendName) => fromOpenAIChatCompletion(body, backendName),
  readStream: (events, backendName) => readOpenAIChatStream(events, backendName),
  readError: (response, backendName) => readOpenAIUpstreamError(response, backendName),
};

const openaiResponsesCodec: OpenAIResponsesWireCodec = {
  toBody: (request, options) =>
    toResponsesBody(request, {
      backendName: options.backendName,
      ...(options.defaults === undefined ? {} : { defaults: options.defaults }),
    }) as unknown as Record<string, unknown>,
  fromResponse: (body, backendName) => fromResponsesResponse(body, backendName),
  readStream: (events, backendName) => readResponsesStream(events, backendName),
  // Responses errors have the same `{"error":{...}}` shape as Chat Completions errors.
  readError: (response, backendName) => readOpenAIUpstreamError(response, backendName),
};

/** The codecs every connector context carries. */
export const coreWireCodecs: WireCodecs = Object.freeze({
  gemini: Object.freeze(geminiCodec),
  openaiChat: Object.freeze(openaiChatCodec),
  openaiResponses: Object.freeze(openaiResponsesCodec),
});
