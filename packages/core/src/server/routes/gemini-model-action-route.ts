/**
 * @fileoverview `POST /v1beta/models/{model}:{method}`: `generateContent` and
 * `streamGenerateContent` through the generic chat route, `countTokens` as an estimate, and a
 * Gemini-format 404 for every other method.
 */
import type { RequestHandler } from 'express';
import type { ProxySettings } from '../../config/proxy-settings.js';
import { geminiFrontend, unsupportedMethod } from '../../frontends/gemini/gemini-frontend.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { estimateInputTokens } from '../../protocols/gemini/estimate-input-tokens.js';
import { parseGeminiModelAction } from '../../protocols/gemini/parse-gemini-model-action.js';
import { parseGeminiRequest } from '../../protocols/gemini/parse-gemini-request.js';
import type { CallerAccounting } from '../caller-accounting.js';
import { chatRoute } from './chat-route.js';

export function geminiModelActionRoute(options: {
  settings: Readonly<ProxySettings>;
  registry: BackendRegistry;
  knownSecrets?: Iterable<string>;
  accounting?: CallerAccounting | undefined;
}): RequestHandler {
  const chat = chatRoute({ ...options, frontend: geminiFrontend });
  return (request, response, next) => {
    const { model, action } = parseGeminiModelAction(request.params);
    if (action === 'generateContent' || action === 'streamGenerateContent') return chat(request, response, next);
    if (action !== 'countTokens') throw unsupportedMethod(action);
    response.json({ totalTokens: countTokens(request.body, model) });
  };
}

/**
 * `countTokens` takes either `contents` or a whole `generateContentRequest`. The backend is not
 * asked: the connector contract has no token counting, so this is an estimate.
 */
function countTokens(body: unknown, model: string): number {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const inner = record['generateContentRequest'] ?? record['generate_content_request'];
  const { request } = parseGeminiRequest(inner ?? body, model, { stream: false, sse: false });
  return estimateInputTokens(request);
}
