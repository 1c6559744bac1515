/**
 * @fileoverview The one chat route behind every client API: the front-end parses the request
 * into the canonical model, the model field picks the backend, and the answer goes back in the
 * front-end's format, streamed or not as the client asked whatever shape the connector answered in.
 */
import type { RequestHandler } from 'express';
import { collectChatStream } from '../../canonical/collect-chat-stream.js';
import { replayChatResponse } from '../../canonical/replay-chat-response.js';
import type { ProxySettings } from '../../config/proxy-settings.js';
import type { ChatFrontend } from '../../frontends/chat-frontend.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import type { CallerAccounting } from '../caller-accounting.js';
import { meterChatRequest } from '../chat-metering.js';
import { countAsUpstreamWait } from '../count-as-upstream-wait.js';
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
  /** Exact secrets scrubbed from errors inside a stream (see redact-client-bound-error.ts). */
  knownSecrets?: Iterable<string>;
  /** Callers' models, limits, budgets and usage records (chat-metering.ts). */
  accounting?: CallerAccounting | undefined;
}): RequestHandler {
  const { settings, registry, frontend } = options;
  const knownSecrets = options.knownSecrets ?? [];
  return async (request, response) => {
    const context = requestContextOf(response);
    const parsed = frontend.parse({ body: request.body, params: request.params as Record<string, string>, query: request.query });
    const route = resolveModelRoute(parsed.model, settings.defaultBackend, registry);
    context.backend = route.backend.name;
    const chatRequest = { ...parsed.request, model: route.model };
    // The caller's models, budgets and limits are checked before any upstream byte is sent.
    const meter = await meterChatRequest(options.accounting, request, response, route, chatRequest);
    // Upstream waits are counted in context.upstreamTiming through the signal.
    const result = await route.backend.connector.chat(chatRequest, { signal: context.abortController.signal });
    if (chatRequest.stream) {
      const events = result.type === 'stream' ? result.events : replayChatResponse(result.response);
      // A stream still open when the drain timeout passes ends with the API's own error event;
      // any error on the way out is scrubbed of credentials first.
      const cuttable = redactStreamErrors(endOnShutdown(meter.observe(events), context.abortController.signal), knownSecrets);
      await sendEventStream(response, frontend.renderStream(cuttable, parsed.renderOptions), context.upstreamTiming);
      return;
    }
    const chatResponse =
      result.type === 'response'
        ? result.response
        : await countAsUpstreamWait(context.upstreamTiming, () => collectChatStream(result.events));
    sendJson(response, frontend.renderResponse(meter.respond(chatResponse), parsed.renderOptions));
  };
}
