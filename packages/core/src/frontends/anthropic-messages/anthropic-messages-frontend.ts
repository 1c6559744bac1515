/**
 * @fileoverview The Anthropic Messages front-end as the generic chat route uses it, for
 * `POST /anthropic/v1/messages` and `POST /v1/messages`.
 */
import { MESSAGES_REQUEST_FIELDS } from '../../protocols/anthropic-messages/messages-request-fields.js';
import { parseMessagesRequest } from '../../protocols/anthropic-messages/parse-messages-request.js';
import { renderMessageStream } from '../../protocols/anthropic-messages/render-message-stream.js';
import { renderMessage } from '../../protocols/anthropic-messages/render-message.js';
import type { ChatFrontend } from '../chat-frontend.js';

export const anthropicMessagesFrontend: ChatFrontend<undefined> = {
  name: 'anthropic-messages',
  requestFields: MESSAGES_REQUEST_FIELDS,
  parse({ body }) {
    const parsed = parseMessagesRequest(body);
    return { model: parsed.model, request: parsed.request, renderOptions: undefined, vendorOnlyFields: parsed.vendorOnlyFields };
  },
  renderResponse: (response) => renderMessage(response),
  renderStream: (events) => renderMessageStream(events),
};
