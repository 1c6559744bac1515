/**
 * @fileoverview The chat route's two calls for metrics and traces: what it asked of which
 * backend, and what the answer said (the model that answered, the usage the upstream reported,
 * an error inside a stream). Both do nothing unless the request is observed, so the route's
 * hot path is unchanged when metrics and traces are off.
 */
import type { ChatEvent, ChatResult } from '@llmproxy/connector-sdk';
import type { ChatExchange } from '../observability/request-observer.js';
import type { RequestContext } from './request-context.js';

/** Records, on an observed request, the front-end, backend and model the route chose. */
export function beginChatExchange(
  context: RequestContext,
  chosen: { frontend: string; backend: { name: string; connectorId: string }; model: string; stream: boolean },
): void {
  if (context.observation === undefined) return;
  context.chat = {
    frontend: chosen.frontend,
    backend: chosen.backend.name,
    connectorId: chosen.backend.connectorId,
    model: chosen.model,
    stream: chosen.stream,
  };
}

/**
 * The connector's result, watched: a whole response's model and usage are recorded now, a
 * stream's as its events pass (the events are passed on unchanged, and an error thrown from the
 * stream is recorded and rethrown).
 */
export function watchChatResult(context: RequestContext, result: ChatResult): ChatResult {
  const exchange = context.chat;
  if (exchange === undefined) return result;
  if (result.type === 'response') {
    exchange.responseModel = result.response.model;
    if (result.response.usage !== undefined) exchange.usage = result.response.usage;
    return result;
  }
  return { type: 'stream', events: watchEvents(context, exchange, result.events) };
}

async function* watchEvents(context: RequestContext, exchange: ChatExchange, events: AsyncIterable<ChatEvent>): AsyncGenerator<ChatEvent> {
  try {
    for await (const event of events) {
      if (event.type === 'response-start') exchange.responseModel = event.model;
      else if (event.type === 'usage') exchange.usage = event.usage;
      yield event;
    }
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') context.errorCode = code;
    throw error;
  }
}
