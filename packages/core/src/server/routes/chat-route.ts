/**
 * @fileoverview The one chat route behind every client API: the front-end parses the request
 * into the canonical model, the model field picks the backend (or a model route's targets, tried
 * in turn: model-target-fallback.ts), and the answer goes back in the front-end's format, streamed
 * or not as the client asked whatever shape the connector answered in.
 */
import type { RequestHandler } from 'express';
import { collectChatStream } from '../../canonical/collect-chat-stream.js';
import { replayChatResponse } from '../../canonical/replay-chat-response.js';
import type { ProxySettings } from '../../config/proxy-settings.js';
import type { ChatFrontend } from '../../frontends/chat-frontend.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { countAsUpstreamWait } from '../count-as-upstream-wait.js';
import { redactStreamErrors } from '../redact-client-bound-error.js';
import { requestContextOf } from '../request-context.js';
import { routeModel } from '../resolve-model-route.js';
import { sendEventStream } from '../send-event-stream.js';
import { sendJson } from '../send-json.js';
import { endOnShutdown } from '../shutdown-cut.js';
import { BACKEND_HEADER, serveFromFirstAnsweringTarget, TargetRests, type TargetFallback } from './model-target-fallback.js';

export function chatRoute<RenderOptions>(options: {
  settings: Readonly<ProxySettings>;
  registry: BackendRegistry;
  frontend: ChatFrontend<RenderOptions>;
  /** Exact secrets scrubbed from errors inside a stream (see redact-client-bound-error.ts). */
  knownSecrets?: Iterable<string>;
  /**
   * Which model-route targets rest, shared by every route, and the log for a fallback; the app
   * passes one. A route built alone gets its own.
   */
  fallback?: TargetFallback;
}): RequestHandler {
  const { settings, registry, frontend } = options;
  const fallback = options.fallback ?? { rests: new TargetRests(settings.server.fallbackRestMs) };
  const knownSecrets = options.knownSecrets ?? [];
  return async (request, response) => {
    const context = requestContextOf(response);
    const parsed = frontend.parse({ body: request.body, params: request.params as Record<string, string>, query: request.query });
    const { targets } = routeModel(parsed.model, settings, registry);
    const { result } = await serveFromFirstAnsweringTarget(targets, fallback, parsed.model, (target) => {
      // Named on errors too: the last backend tried is the one whose failure the client gets.
      context.backend = target.backend.name;
      response.setHeader(BACKEND_HEADER, target.backend.name);
      // Upstream waits are counted in context.upstreamTiming through the signal.
      return target.backend.connector.chat({ ...parsed.request, model: target.model }, { signal: context.abortController.signal });
    });
    if (parsed.request.stream) {
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
