/**
 * @fileoverview The OpenAI Chat Completions front-end as the generic chat route uses it.
 */
import { CHAT_COMPLETION_REQUEST_FIELDS } from '../../protocols/openai-chat/chat-completion-request-fields.js';
import { parseChatCompletionRequest } from '../../protocols/openai-chat/parse-chat-completion-request.js';
import { renderChatCompletionStream, type ChatCompletionStreamOptions } from '../../protocols/openai-chat/render-chat-completion-stream.js';
import { renderChatCompletion } from '../../protocols/openai-chat/render-chat-completion.js';
import { fromOpenAIChatCompletion } from '../../protocols/openai-chat/from-openai-chat-completion.js';
import type { OpenAIUsage } from '../../protocols/openai-chat/openai-chat-wire-types.js';
import { fromOpenAIUsage } from '../../protocols/openai-chat/openai-usage.js';
import { renderOpenAIError } from '../../protocols/openai-chat/render-openai-error.js';
import type { ChatFrontend } from '../chat-frontend.js';
import { readRelayableBody } from '../read-relayable-body.js';

export const openAIChatFrontend: ChatFrontend<ChatCompletionStreamOptions> = {
  name: 'openai-chat',
  requestFields: CHAT_COMPLETION_REQUEST_FIELDS,
  parse({ body }) {
    const parsed = parseChatCompletionRequest(body);
    return { model: parsed.model, request: parsed.request, renderOptions: { includeUsage: parsed.includeUsage } };
  },
  renderResponse: (response) => renderChatCompletion(response),
  renderStream: (events, options) => renderChatCompletionStream(events, options),
  relay: {
    protocol: 'openai-chat',
    modelInBody: true,
    // OpenAI's opt-in header for beta behaviour; the organization and project headers belong
    // to the client's own key, which the proxy replaces, so they stay behind.
    forwardedHeaders: ['openai-beta'],
    read: ({ body }) => readRelayableBody(body),
    usageKey: 'usage',
    usageOf: (usage) => fromOpenAIUsage(usage as Partial<OpenAIUsage> as OpenAIUsage),
    readWholeAnswer: (body, backendName) => fromOpenAIChatCompletion(body, backendName),
    streamErrorFrame: (error) => `data: ${JSON.stringify(renderOpenAIError(error).body)}\n\n`,
    streamEndMarkers: ['data: [DONE]'],
    // Usage records, limits and metrics need a stream's tokens; OpenAI sends them only on request.
    streamUsageRequest: {
      wanted: (body) => typeof body === 'object' && body !== null && (body as Record<string, unknown>)['stream_options'] === undefined,
      field: '"stream_options":{"include_usage":true}',
      isUsageOnlyEvent: (event) => /"choices"\s*:\s*\[\s*\]/.test(event),
    },
  },
};
