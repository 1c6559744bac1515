/**
 * @fileoverview `POST /anthropic/v1/messages/count_tokens` and `POST /v1/messages/count_tokens`:
 * the number of input tokens a Messages request would use, as `{"input_tokens": n}`.
 *
 * A backend whose connector can count (the `anthropic` connector asks its upstream's
 * count_tokens endpoint) gives the real number; for every other backend the proxy estimates it
 * (see protocols/anthropic-messages/estimate-input-tokens.ts). The response header
 * `x-llmproxy-token-count` says which: `upstream` or `estimate`.
 */
import type { RequestHandler } from 'express';
import type { ChatOptions, ChatRequest, Connector } from '@llmproxy/connector-sdk';
import { attachTranslationFidelity, type TranslationFidelity } from '../../canonical/translation-fidelity.js';
import type { ProxySettings } from '../../config/proxy-settings.js';
import type { AppLogger } from '../../logging/app-logger.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { MESSAGES_REQUEST_FIELDS } from '../../protocols/anthropic-messages/messages-request-fields.js';
import { estimateInputTokens } from '../../protocols/anthropic-messages/estimate-input-tokens.js';
import { parseMessagesRequest } from '../../protocols/anthropic-messages/parse-messages-request.js';
import { announceDroppedFields } from '../dropped-fields-header.js';
import { requestContextOf } from '../request-context.js';
import { connectorCallOptions } from '../connector-call-options.js';
import { routeModel } from '../resolve-model-route.js';

/** The header that tells an upstream count from a local estimate. */
export const TOKEN_COUNT_SOURCE_HEADER = 'x-llmproxy-token-count';

/** A connector that can count a request's input tokens with its upstream. */
export interface TokenCountingConnector extends Connector {
  countTokens(request: ChatRequest, options: ChatOptions): Promise<number>;
}

export function isTokenCountingConnector(connector: Connector): connector is TokenCountingConnector {
  return typeof (connector as Partial<TokenCountingConnector>).countTokens === 'function';
}

export function countTokensRoute(options: { settings: Readonly<ProxySettings>; registry: BackendRegistry; logger?: AppLogger }): RequestHandler {
  const { settings, registry } = options;
  return (request, response) =>
    (async () => {
      const context = requestContextOf(response);
      const parsed = parseMessagesRequest(request.body, { requireMaxTokens: false });
      const route = routeModel(parsed.model, settings, registry).targets[0]!;
      context.backend = route.backend.name;
      const chatRequest = { ...parsed.request, model: route.model, stream: false };
      const connector = route.backend.connector;
      if (isTokenCountingConnector(connector)) {
        // A counting connector of another API builds a body too: the same fidelity policy applies.
        const fidelity: TranslationFidelity = {
          table: MESSAGES_REQUEST_FIELDS,
          unknownFields: settings.translation?.unknownFields ?? 'drop',
          vendorOnlyFields: parsed.vendorOnlyFields,
          dropped: undefined,
        };
        if (chatRequest.protocolExtras !== undefined) attachTranslationFidelity(chatRequest.protocolExtras, fidelity);
        const inputTokens = await connector.countTokens(chatRequest, connectorCallOptions(context));
        announceDroppedFields(response, fidelity.dropped, options.logger);
        response.setHeader(TOKEN_COUNT_SOURCE_HEADER, 'upstream').json({ input_tokens: inputTokens });
        return;
      }
      response.setHeader(TOKEN_COUNT_SOURCE_HEADER, 'estimate').json({ input_tokens: estimateInputTokens(chatRequest) });
    })();
}
