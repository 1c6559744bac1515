/**
 * @fileoverview The OpenAI Chat Completions front-end as the generic chat route uses it.
 */
import { CHAT_COMPLETION_REQUEST_FIELDS } from '../../protocols/openai-chat/chat-completion-request-fields.js';
import { parseChatCompletionRequest } from '../../protocols/openai-chat/parse-chat-completion-request.js';
import { renderChatCompletionStream, type ChatCompletionStreamOptions } from '../../protocols/openai-chat/render-chat-completion-stream.js';
import { renderChatCompletion } from '../../protocols/openai-chat/render-chat-completion.js';
import type { ChatFrontend } from '../chat-frontend.js';

export const openAIChatFrontend: ChatFrontend<ChatCompletionStreamOptions> = {
  name: 'openai-chat',
  requestFields: CHAT_COMPLETION_REQUEST_FIELDS,
  parse({ body }) {
    const parsed = parseChatCompletionRequest(body);
    return { model: parsed.model, request: parsed.request, renderOptions: { includeUsage: parsed.includeUsage } };
  },
  renderResponse: (response) => renderChatCompletion(response),
  renderStream: (events, options) => renderChatCompletionStream(events, options),
};
