/**
 * @fileoverview The chat route's two calls for what it learns of an answer: the usage the
 * upstream reported (on `context.usage`, for the log line, usage records, metrics and traces)
 * and, for metrics and traces only, which backend it asked and the model that answered and an
 * error inside a stream.
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
 * The connector's result, watched: a whole response's usage (and model) are recorded now, a
 * stream's as its events pass (the events are passed on unchanged, and an error thrown from the
 * stream is recorded and rethrown).
 */
export function watchChatResult(context: RequestContext, result: ChatResult): ChatResult {
  const exchange = context.chat;
  if (result.type === 'response') {
    context.usage = result.response.usage;
    if (exchange !== undefined) exchange.responseModel = result.response.model;
    return result;
  }
  return { type: 'stream', events: watchEvents(context, exchange, result.events) };
}

async function* watchEvents(context: RequestContext, exchange: ChatExchange | undefined, events: AsyncIterable<ChatEvent>): AsyncGenerator<ChatEvent> {
  try {
    for await (const event of events) {
      if (event.type === 'usage') context.usage = event.usage;
      else if (event.type === 'response-start' && exchange !== undefined) exchange.responseModel = event.model;
      yield event;
    }
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') context.errorCode = code;
    throw error;
  }
}
