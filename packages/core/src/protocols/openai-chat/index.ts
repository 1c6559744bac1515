/**
 * @fileoverview The OpenAI Chat Completions ⇄ canonical conversions, pure functions without HTTP,
 * shared by the OpenAI Chat front-end (parse requests, render answers, streams and errors) and by
 * connectors whose upstream speaks Chat Completions (build bodies, read answers, streams and
 * error bodies).
 */
export { parseChatCompletionRequest, type ParsedChatCompletionRequest } from './parse-chat-completion-request.js';
export { renderChatCompletion } from './render-chat-completion.js';
export { renderChatCompletionStream, type ChatCompletionStreamOptions } from './render-chat-completion-stream.js';
export { openAIErrorType, renderOpenAIError, type RenderedOpenAIError } from './render-openai-error.js';
export { toOpenAIChatBody, type OpenAIChatBodyOptions } from './to-openai-chat-body.js';
export { fromOpenAIChatCompletion, invalidResponse } from './from-openai-chat-completion.js';
export { readOpenAIChatStream } from './read-openai-chat-stream.js';
export { readOpenAIUpstreamError } from './read-openai-upstream-error.js';
export { fromOpenAIFinishReason, toOpenAIFinishReason } from './openai-finish-reason.js';
export { fromOpenAIUsage, toOpenAIUsage } from './openai-usage.js';
export type * from './openai-chat-wire-types.js';
