/**
 * @fileoverview The Anthropic Messages front-end as the generic chat route uses it, for
 * `POST /anthropic/v1/messages` and `POST /v1/messages`.
 */
import type { ChatFrontend } from '../chat-frontend.js';
import { parseMessagesRequest } from './parse-messages-request.js';
import { renderMessage } from './render-message.js';
import { renderMessageStream } from './render-message-stream.js';

export const anthropicMessagesFrontend: ChatFrontend<undefined> = {
  parse({ body }) {
    const parsed = parseMessagesRequest(body);
    return { model: parsed.model, request: parsed.request, renderOptions: undefined };
  },
  renderResponse: (response) => renderMessage(response),
  renderStream: (events) => renderMessageStream(events),
};
