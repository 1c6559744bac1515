/**
 * @fileoverview The OpenAI Chat Completions front-end as the generic chat route uses it.
 */
import type { ChatFrontend } from '../chat-frontend.js';
import { parseChatCompletionRequest } from './parse-chat-completion-request.js';
import { renderChatCompletion } from './render-chat-completion.js';
import { renderChatCompletionStream, type ChatCompletionStreamOptions } from './render-chat-completion-stream.js';

export const openAIChatFrontend: ChatFrontend<ChatCompletionStreamOptions> = {
  parse({ body }) {
    const parsed = parseChatCompletionRequest(body);
    return { model: parsed.model, request: parsed.request, renderOptions: { includeUsage: parsed.includeUsage } };
  },
  renderResponse: (response) => renderChatCompletion(response),
  renderStream: (events, options) => renderChatCompletionStream(events, options),
};
