/**
 * @fileoverview The Gemini API ⇄ canonical conversions, pure functions without HTTP, shared by
 * the Gemini front-end (parse requests and `models/{model}:{method}` paths, render answers,
 * streams and errors, estimate input tokens) and by connectors whose upstream speaks Gemini
 * (build bodies, read answers, streams and error bodies).
 */
export { GEMINI_MODEL_PATH_PARAMETER, modelPathOf, parseGeminiModelAction, type GeminiModelAction } from './parse-gemini-model-action.js';
export { geminiModelResource } from './gemini-model-resource.js';
export { parseGeminiRequest, toJsonSchema, type GeminiCallOptions, type ParsedGeminiRequest } from './parse-gemini-request.js';
export { applyGeminiExtras, malformedCallMessage, renderGeminiResponse } from './render-gemini-response.js';
export { renderGeminiStream, type GeminiStreamOptions } from './render-gemini-stream.js';
export { geminiErrorStatus, renderGeminiError, type RenderedGeminiError } from './render-gemini-error.js';
export { estimateInputTokens } from './estimate-input-tokens.js';
export { FOREIGN_THOUGHT_SIGNATURE, toGeminiRequest, type GeminiRequestOptions } from './to-gemini-request.js';
export { toGeminiFunctionResponse, toGeminiMedia, toGeminiParts, type GeminiPartsWriter } from './to-gemini-parts.js';
export { fromGeminiParts, functionResponseContent, type GeminiPartsReader } from './from-gemini-parts.js';
export { fromGeminiResponse, newToolCallId, parseGeminiEvents, readGeminiStream, type GeminiResponseOptions } from './read-gemini-stream.js';
export { parseGoogleDuration, readGeminiStreamError, readGeminiUpstreamError, type GeminiUpstreamFailure } from './read-gemini-upstream-error.js';
export { fromGeminiFinishReason, toGeminiFinishReason } from './gemini-finish-reason.js';
export { fromGeminiUsage, toGeminiUsage } from './gemini-usage.js';
export { GEMINI_PROVIDER_OPTIONS_KEY, geminiTopKOf, setGeminiTopK } from './gemini-provider-options.js';
export type * from './gemini-wire-types.js';
