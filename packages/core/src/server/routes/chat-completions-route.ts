/**
 * @fileoverview `POST /v1/chat/completions`: OpenAI Chat Completions in, routed to a backend by
 * the model field, OpenAI Chat Completions out, streamed or not as the client asked whatever
 * shape the connector answered in.
 */
import type { RequestHandler } from 'express';
import { collectChatStream } from '../../canonical/collect-chat-stream.js';
import { replayChatResponse } from '../../canonical/replay-chat-response.js';
import type { ProxySettings } from '../../config/proxy-settings.js';
import { parseChatCompletionRequest } from '../../frontends/openai-chat/parse-chat-completion-request.js';
import { renderChatCompletion } from '../../frontends/openai-chat/render-chat-completion.js';
import { renderChatCompletionStream } from '../../frontends/openai-chat/render-chat-completion-stream.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { currentUpstreamTiming, runWithUpstreamTiming } from '../../upstream/upstream-timing.js';
import { countAsUpstreamWait } from '../count-as-upstream-wait.js';
import { requestContextOf } from '../request-context.js';
import { resolveModelRoute } from '../resolve-model-route.js';
import { sendEventStream } from '../send-event-stream.js';

export function chatCompletionsRoute(options: { settings: Readonly<ProxySettings>; registry: BackendRegistry }): RequestHandler {
  const { settings, registry } = options;
  return (request, response) =>
    runWithUpstreamTiming(async () => {
      const context = requestContextOf(response);
      context.upstreamTiming = currentUpstreamTiming();
      const parsed = parseChatCompletionRequest(request.body);
      const route = resolveModelRoute(parsed.model, settings.defaultBackend, registry);
      context.backend = route.backend.name;
      const chatRequest = { ...parsed.request, model: route.model };
      const result = await route.backend.connector.chat(chatRequest, { signal: context.abortController.signal });
      if (chatRequest.stream) {
        const events = result.type === 'stream' ? result.events : replayChatResponse(result.response);
        await sendEventStream(
          response,
          renderChatCompletionStream(events, { includeUsage: parsed.includeUsage }),
          context.upstreamTiming,
        );
        return;
      }
      const chatResponse =
        result.type === 'response'
          ? result.response
          : await countAsUpstreamWait(context.upstreamTiming, () => collectChatStream(result.events));
      response.json(renderChatCompletion(chatResponse));
    });
}
