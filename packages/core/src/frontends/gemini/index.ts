/**
 * @fileoverview The Gemini API front-end: request parsing, response, stream and error
 * rendering between the Gemini wire format and the canonical model, and its routes
 * (`models/{model}:{method}`, the model list).
 */
export { estimateInputTokens } from './estimate-input-tokens.js';
export { geminiFrontend, unsupportedMethod } from './gemini-frontend.js';
export { geminiModelActionRoute } from './gemini-model-action-route.js';
export { geminiModelRoute, geminiModelsRoute } from './gemini-models-route.js';
export { GEMINI_MODEL_PATH_PARAMETER, modelPathOf, parseGeminiModelAction, type GeminiModelAction } from './parse-gemini-model-action.js';
export { parseGeminiRequest, toJsonSchema, type GeminiCallOptions, type ParsedGeminiRequest } from './parse-gemini-request.js';
export { renderGeminiError, type RenderedGeminiError } from './render-gemini-error.js';
export { applyGeminiExtras, malformedCallMessage, renderGeminiResponse } from './render-gemini-response.js';
export { renderGeminiStream, type GeminiStreamOptions } from './render-gemini-stream.js';
