/**
 * @fileoverview The one chat route behind every client API. A request whose API is the one the
 * routed backend's upstream speaks is relayed as the client sent it (relay-same-api.ts); any
 * other is parsed by the front-end into the canonical model, sent through the backend's
 * connector (or a model route's targets, tried in turn: model-target-fallback.ts), and answered
 * in the front-end's format, streamed or not as the client asked whatever shape the connector
 * answered in.
 */
import type { Request, RequestHandler, Response } from 'express';
import { collectChatStream } from '../../canonical/collect-chat-stream.js';
import { attachTranslationFidelity, type TranslationFidelity } from '../../canonical/translation-fidelity.js';
import { replayChatResponse } from '../../canonical/replay-chat-response.js';
import type { ProxySettings } from '../../config/proxy-settings.js';
import type { ChatFrontend, FrontendHttpRequest } from '../../frontends/chat-frontend.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { beginChatExchange, watchChatResult } from '../chat-exchange.js';
import type { CallerAccounting } from '../caller-accounting.js';
import { meterChatRequest } from '../chat-metering.js';
import { estimateInputTokens } from '../../protocols/anthropic-messages/estimate-input-tokens.js';
import { countAsUpstreamWait } from '../count-as-upstream-wait.js';
import { announceDroppedFields } from '../dropped-fields-header.js';
import type { AppLogger } from '../../logging/app-logger.js';
import { rawBodyOf } from '../raw-request-body.js';
import { redactStreamErrors } from '../redact-client-bound-error.js';
import { replaceTopLevelModel } from '../replace-json-model.js';
import { requestContextOf, type RequestContext } from '../request-context.js';
import { connectorCallOptions } from '../connector-call-options.js';
import { routeModel } from '../resolve-model-route.js';
import { sendEventStream } from '../send-event-stream.js';
import { sendJson } from '../send-json.js';
import { endOnShutdown } from '../shutdown-cut.js';
import { BACKEND_HEADER, serveFromFirstAnsweringTarget, TargetRests, type TargetFallback } from './model-target-fallback.js';
import { canRelay, relaySameApi } from './relay-same-api.js';

export function chatRoute<RenderOptions>(options: {
  settings: Readonly<ProxySettings>;
  registry: BackendRegistry;
  frontend: ChatFrontend<RenderOptions>;
  /** For the one line per request that lost fields on the way to another API. */
  logger?: AppLogger;
  /** Exact secrets scrubbed from errors inside a stream (see redact-client-bound-error.ts). */
  knownSecrets?: Iterable<string>;
  /**
   * Which model-route targets rest, shared by every route, and the log for a fallback; the app
   * passes one. A route built alone gets its own.
   */
  fallback?: TargetFallback;
  /** Callers' models, limits, budgets and usage records (chat-metering.ts). */
  accounting?: CallerAccounting | undefined;
}): RequestHandler {
  const { settings, registry, frontend } = options;
  const fallback = options.fallback ?? { rests: new TargetRests(settings.server.fallbackRestMs) };
  const knownSecrets = options.knownSecrets ?? [];
  return (request, response) => {
    const context = requestContextOf(response);
    const httpRequest: FrontendHttpRequest = { body: request.body, params: request.params as Record<string, string>, query: request.query };
    // Chained rather than awaited: a relayed stream holds no suspended frame of this function.
    return relayIfSameApi(request, response, context, httpRequest).then((relayedSameApi) =>
      relayedSameApi ? undefined : answerCanonically(response, context, httpRequest),
    );
  };

  /** Parses the request into the canonical model, sends it through the route's targets and renders the answer. */
  async function answerCanonically(response: Response, context: RequestContext, httpRequest: FrontendHttpRequest): Promise<void> {
    const parsed = await frontend.parse(httpRequest);
    const { targets } = routeModel(parsed.model, settings, registry);
    const fidelity: TranslationFidelity = {
      table: frontend.requestFields,
      unknownFields: settings.translation?.unknownFields ?? 'drop',
      vendorOnlyFields: parsed.vendorOnlyFields ?? [],
      dropped: undefined,
    };
    if (parsed.request.protocolExtras !== undefined) attachTranslationFidelity(parsed.request.protocolExtras, fidelity);
    // The caller's models, budgets and limits are checked before any upstream byte is sent; the
    // usage record names the target that answered.
    const metered = { backend: targets[0]!.backend, model: targets[0]!.model };
    await meterChatRequest(options.accounting, frontend.name, response, metered, () => estimateInputTokens(parsed.request));
    // A fallback's log line names the request (only routes of several targets ever fall back).
    const requestFallback = targets.length > 1 && fallback.logger !== undefined ? { ...fallback, logger: fallback.logger.child({ requestId: context.requestId }) } : fallback;
    const { result: answered } = await serveFromFirstAnsweringTarget(targets, requestFallback, parsed.model, (target) => {
      // Named on errors too: the last backend tried is the one whose failure the client gets.
      context.backend = target.backend.name;
      response.setHeader(BACKEND_HEADER, target.backend.name);
      metered.backend = target.backend;
      metered.model = target.model;
      // For metrics and traces (nothing when neither is on).
      beginChatExchange(context, { frontend: frontend.name, backend: target.backend, model: target.model, stream: parsed.request.stream });
      // What this target's connector drops; a target tried before it dropped for itself.
      fidelity.dropped = undefined;
      // Upstream waits are counted in context.upstreamTiming through the signal.
      return target.backend.connector.chat({ ...parsed.request, model: target.model }, connectorCallOptions(context));
    });
    const result = watchChatResult(context, answered);
    // The connector built the upstream body before it answered: what it dropped is known here,
    // before any header is written.
    announceDroppedFields(response, fidelity.dropped, options.logger);
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
  }

  /**
   * Relays the request when the front-end can, the body is relayable and the routed backend's
   * upstream speaks the front-end's protocol for the routed model; false leaves it to the
   * canonical path.
   */
  async function relayIfSameApi(request: Request, response: Response, context: RequestContext, httpRequest: FrontendHttpRequest): Promise<boolean> {
    const relay = frontend.relay;
    if (relay === undefined) return false;
    const rawBody = rawBodyOf(request);
    if (rawBody === undefined) return false;
    const relayable = await relay.read(httpRequest);
    if (relayable === undefined) return false;
    const { targets } = routeModel(relayable.model, settings, registry);
    // A route with fallback targets takes the canonical path, which can move to the next target
    // until the first byte; a relay answers the client as the upstream does.
    if (targets.length !== 1) return false;
    const route = targets[0]!;
    const connector = route.backend.connector;
    if (!canRelay(connector) || connector.relayProtocol?.(route.model) !== relay.protocol) return false;
    const body = !relay.modelInBody || route.model === relayable.model ? rawBody : replaceTopLevelModel(rawBody, route.model);
    if (body === undefined) return false;
    context.backend = route.backend.name;
    response.setHeader(BACKEND_HEADER, route.backend.name);
    // The body is not parsed on this path: about four bytes a token is the estimate to reserve.
    await meterChatRequest(options.accounting, frontend.name, response, route, () => Math.ceil(rawBody.length / 4));
    beginChatExchange(context, { frontend: frontend.name, backend: route.backend, model: route.model, stream: relayable.stream });
    // Not awaited here: this function's frame is not held for the whole of a relayed stream.
    return relaySameApi({
      request,
      response,
      context,
      relay,
      relayable,
      model: route.model,
      body,
      connector,
      knownSecrets,
      logger: options.logger,
      replayAsStream: async (answer) => {
        const parsed = await frontend.parse(httpRequest);
        const events = redactStreamErrors(endOnShutdown(replayChatResponse(answer), context.abortController.signal), knownSecrets);
        await sendEventStream(response, frontend.renderStream(events, parsed.renderOptions), context.upstreamTiming);
      },
    }).then(relayed);
  }
}

function relayed(): true {
  return true;
}
