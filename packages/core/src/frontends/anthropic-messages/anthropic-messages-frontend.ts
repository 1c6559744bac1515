/**
 * @fileoverview The Anthropic Messages front-end as the generic chat route uses it, for
 * `POST /anthropic/v1/messages` and `POST /v1/messages`.
 */
import { MESSAGES_REQUEST_FIELDS } from '../../protocols/anthropic-messages/messages-request-fields.js';
import { parseMessagesRequest } from '../../protocols/anthropic-messages/parse-messages-request.js';
import { renderMessageStream } from '../../protocols/anthropic-messages/render-message-stream.js';
import { renderMessage } from '../../protocols/anthropic-messages/render-message.js';
import { fromAnthropicMessage } from '../../protocols/anthropic-messages/from-anthropic-message.js';
import { fromAnthropicUsage } from '../../protocols/anthropic-messages/anthropic-usage.js';
import { renderAnthropicError } from '../../protocols/anthropic-messages/render-anthropic-error.js';
import type { ChatFrontend } from '../chat-frontend.js';
import { readRelayableBody } from '../read-relayable-body.js';

export const anthropicMessagesFrontend: ChatFrontend<undefined> = {
  name: 'anthropic-messages',
  requestFields: MESSAGES_REQUEST_FIELDS,
  parse({ body }) {
    const parsed = parseMessagesRequest(body);
    return { model: parsed.model, request: parsed.request, renderOptions: undefined, vendorOnlyFields: parsed.vendorOnlyFields };
  },
  renderResponse: (response) => renderMessage(response),
  renderStream: (events) => renderMessageStream(events),
  relay: {
    protocol: 'anthropic-messages',
    modelInBody: true,
    // The API version and the beta features the client opted into (Claude Code's tool search,
    // context management, …) decide what the upstream accepts and answers.
    forwardedHeaders: ['anthropic-version', 'anthropic-beta'],
    read: ({ body }) => readRelayableBody(body),
    usageKey: 'usage',
    usageOf: (usage) => fromAnthropicUsage(usage),
    readWholeAnswer: (body, backendName) => fromAnthropicMessage(body, backendName),
    streamErrorFrame: (error) => `event: error\ndata: ${JSON.stringify(renderAnthropicError(error).body)}\n\n`,
    streamEndMarkers: ['"message_stop"'],
  },
};
