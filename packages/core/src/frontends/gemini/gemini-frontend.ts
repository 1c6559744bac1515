/**
 * @fileoverview The Gemini front-end as the generic chat route uses it: `generateContent` and
 * `streamGenerateContent` for the model named in the URL.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { GEMINI_REQUEST_FIELDS } from '../../protocols/gemini/gemini-request-fields.js';
import { parseGeminiModelAction } from '../../protocols/gemini/parse-gemini-model-action.js';
import { parseGeminiRequest } from '../../protocols/gemini/parse-gemini-request.js';
import { renderGeminiResponse } from '../../protocols/gemini/render-gemini-response.js';
import { renderGeminiStream, type GeminiStreamOptions } from '../../protocols/gemini/render-gemini-stream.js';
import { fromGeminiResponse } from '../../protocols/gemini/read-gemini-stream.js';
import { fromGeminiUsage } from '../../protocols/gemini/gemini-usage.js';
import { renderGeminiError } from '../../protocols/gemini/render-gemini-error.js';
import type { ChatFrontend } from '../chat-frontend.js';

export const geminiFrontend: ChatFrontend<GeminiStreamOptions> = {
  name: 'gemini',
  requestFields: GEMINI_REQUEST_FIELDS,
  parse({ body, params, query }) {
    const { model, action } = parseGeminiModelAction(params);
    if (action !== 'generateContent' && action !== 'streamGenerateContent') throw unsupportedMethod(action);
    const call = { stream: action === 'streamGenerateContent', sse: query['alt'] === 'sse' };
    const { request } = parseGeminiRequest(body, model, call);
    return { model, request, renderOptions: { sse: call.sse } };
  },
  renderResponse: (response) => renderGeminiResponse(response),
  renderStream: (events, options) => renderGeminiStream(events, options),
  relay: {
    protocol: 'gemini',
    modelInBody: false,
    forwardedHeaders: [],
    read({ body, params, query }) {
      const { model, action } = parseGeminiModelAction(params);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
      if (action === 'generateContent') return { model, stream: false };
      // A stream without `alt=sse` is answered as one growing JSON array, which the canonical
      // path renders; the relay speaks SSE only.
      if (action === 'streamGenerateContent' && query['alt'] === 'sse') return { model, stream: true };
      return undefined;
    },
    usageKey: 'usageMetadata',
    usageOf: (usage) => fromGeminiUsage(usage),
    readWholeAnswer: (body, backendName, model) => fromGeminiResponse(body, { backendName, requestedModel: model }),
    streamErrorFrame: (error) => `data: ${JSON.stringify(renderGeminiError(error).body)}\r\n\r\n`,
    streamEndMarkers: ['"finishReason"'],
  },
};

/** The error for a Gemini method the proxy does not serve. */
export function unsupportedMethod(action: string): LlmProxyError {
  return new LlmProxyError({
    code: 'ROUTE_NOT_FOUND',
    message: `Route not found: the Gemini method ${JSON.stringify(action)} is not served by llmproxy`,
    fix: 'llmproxy serves generateContent, streamGenerateContent and countTokens (an estimate) under /v1beta/models/{model}',
    httpStatus: 404,
  });
}
