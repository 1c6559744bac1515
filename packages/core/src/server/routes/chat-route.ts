/**
 * @fileoverview The one chat route behind every client API: the front-end parses the request
 * into the canonical model, the model field picks the backend, and the answer goes back in the
 * front-end's format, streamed or not as the client asked whatever shape the connector answered in.
 */
import type { RequestHandler } from 'express';
import { collectChatStream } from '../../canonical/collect-chat-stream.js';
import { attachTranslationFidelity, type TranslationFidelity } from '../../canonical/translation-fidelity.js';
import { replayChatResponse } from '../../canonical/replay-chat-response.js';
import type { ProxySettings } from '../../config/proxy-settings.js';
import type { ChatFrontend } from '../../frontends/chat-frontend.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { beginChatExchange, watchChatResult } from '../chat-exchange.js';
import { countAsUpstreamWait } from '../count-as-upstream-wait.js';
import { announceDroppedFields } from '../dropped-fields-header.js';
import type { AppLogger } from '../../logging/app-logger.js';
import { redactStreamErrors } from '../redact-client-bound-error.js';
import { requestContextOf } from '../request-context.js';
import { resolveModelRoute } from '../resolve-model-route.js';
import { sendEventStream } from '../send-event-stream.js';
import { sendJson } from '../send-json.js';
import { endOnShutdown } from '../shutdown-cut.js';

export function chatRoute<RenderOptions>(options: {
  settings: Readonly<ProxySettings>;
  registry: BackendRegistry;
  frontend: ChatFrontend<RenderOptions>;
  /** For the one line per request that lost fields on the way to another API. */
  logger?: AppLogger;
  /** Exact secrets scrubbed from errors inside a stream (see redact-client-bound-error.ts). */
  knownSecrets?: Iterable<string>;
}): RequestHandler {
  const { settings, registry, frontend } = options;
  const knownSecrets = options.knownSecrets ?? [];
  return async (request, response) => {
    const context = requestContextOf(response);
    const parsed = frontend.parse({ body: request.body, params: request.params as Record<string, string>, query: request.query });
    const route = resolveModelRoute(parsed.model, settings.defaultBackend, registry);
    context.backend = route.backend.name;
    const chatRequest = { ...parsed.request, model: route.model };
    // For metrics and traces (nothing when neither is on).
    beginChatExchange(context, { frontend: frontend.name, backend: route.backend, model: route.model, stream: chatRequest.stream });
    const fidelity: TranslationFidelity = {
      table: frontend.requestFields,
      unknownFields: settings.translation?.unknownFields ?? 'drop',
      vendorOnlyFields: parsed.vendorOnlyFields ?? [],
      dropped: undefined,
    };
    if (chatRequest.protocolExtras !== undefined) attachTranslationFidelity(chatRequest.protocolExtras, fidelity);
    // Upstream waits are counted in context.upstreamTiming through the signal.
    const result = watchChatResult(context, await route.backend.connector.chat(chatRequest, { signal: context.abortController.signal }));
    // The connector built the upstream body before it answered: what it dropped is known here,
    // before any header is written.
    announceDroppedFields(response, fidelity.dropped, options.logger);
    if (chatRequest.stream) {
      const events = result.type === 'stream' ? result.events : replayChatResponse(result.response);
      // A stream still open when the drain timeout passes ends with the API's own error event;
      // any error on the way out is scrubbed of credentials first.
      const cuttable = redactStreamErrors(endOnShutdown(events, context.abortController.signal), knownSecrets);
      await sendEventStream(response, frontend.renderStream(cuttable, parsed.renderOptions), context.upstreamTiming);
      return;
    }
    const chatResponse =
      result.type === 'response'
        ? result.response
        : await countAsUpstreamWait(context.upstreamTiming, () => collectChatStream(result.events));
    sendJson(response, frontend.renderResponse(chatResponse, parsed.renderOptions));
  };
}
