/**
 * @fileoverview The model and method of a Gemini URL path: `/v1beta/models/{model}:{method}`.
 * The model may hold `:` (`openai:gpt-4o`) and `/` (`openrouter:meta/llama-3`), so the method
 * is what follows the last `:` of the whole path after `models/`.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** The Express 5 route parameter that holds everything after `/v1beta/models/`. */
export const GEMINI_MODEL_PATH_PARAMETER = 'modelAndAction';

export interface GeminiModelAction {
  /** The model as the client named it (`backend:model` or `model`). */
  model: string;
  /** The method, e.g. `generateContent`. */
  action: string;
}

/**
 * Reads the route parameter, which Express 5 gives a wildcard as an array of path segments
 * (`/v1beta/models/*modelAndAction`); a plain string is accepted too.
 */
export function parseGeminiModelAction(params: Readonly<Record<string, unknown>>): GeminiModelAction {
  const path = modelPathOf(params);
  const separator = path.lastIndexOf(':');
  if (separator === -1) {
    throw new LlmProxyError({
      code: 'ROUTE_NOT_FOUND',
      message: `Route not found: models/${path} names no method`,
      fix: 'Call models/{model}:generateContent or models/{model}:streamGenerateContent',
      httpStatus: 404,
    });
  }
  return { model: path.slice(0, separator), action: path.slice(separator + 1) };
}

/** The model path (everything after `models/`), for routes without a method. */
export function modelPathOf(params: Readonly<Record<string, unknown>>): string {
  const value = params[GEMINI_MODEL_PATH_PARAMETER];
  const path = Array.isArray(value) ? value.join('/') : typeof value === 'string' ? value : '';
  return path.startsWith('models/') ? path.slice('models/'.length) : path;
}
