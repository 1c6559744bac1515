/**
 * @fileoverview The OpenAI Chat Completions front-end: request parsing and response, stream and
 * error rendering between the OpenAI wire format and the canonical model.
 */
export { parseChatCompletionRequest, type ParsedChatCompletionRequest } from './parse-chat-completion-request.js';
export { renderChatCompletion } from './render-chat-completion.js';
export { renderChatCompletionStream, type ChatCompletionStreamOptions } from './render-chat-completion-stream.js';
export { openAIChatFrontend } from './openai-chat-frontend.js';
export { openAIErrorType, renderOpenAIError, type RenderedOpenAIError } from './render-openai-error.js';
