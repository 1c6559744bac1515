/**
 * @fileoverview The chat route's two hooks for callers: {@link meterChatRequest} runs after the
 * model route is known and before the upstream call (the admission check: models, budgets,
 * limits), and the meter it returns sees the answer's usage (a stream's usage event, a whole
 * response's usage) and, when the response closes, gives back the caller's limits and writes
 * the usage record. Kept out of the route so the route stays about relaying.
 */
import { performance } from 'node:perf_hooks';
import type { ChatEvent, ChatRequest, ChatResponse, Usage } from '@llmproxy/connector-sdk';
import type { Request, Response } from 'express';

import type { AdmissionTicket } from '../callers/admission.js';
import type { Backend } from '../plugins/backend-registry.js';
import { estimateInputTokens } from '../protocols/anthropic-messages/estimate-input-tokens.js';
import type { CallerAccounting } from './caller-accounting.js';
import { requestContextOf, type RequestContext } from './request-context.js';

/** The caller of requests served with authentication off. */
export const ANONYMOUS_CALLER = 'anonymous';

export class ChatMeter {
  usage: Usage | undefined;
  /** performance.now() of the first answer event or whole response. */
  firstByteAt: number | undefined;
  streamErrorCode: string | undefined;

  /** Passes a stream through, noting when it starts, its usage and an error that ends it. */
  async *observe(events: AsyncIterable<ChatEvent>): AsyncGenerator<ChatEvent> {
    try {
      for await (const event of events) {
        this.firstByteAt ??= performance.now();
        if (event.type === 'usage') this.usage = event.usage;
        yield event;
      }
    } catch (error) {
      this.streamErrorCode = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'STREAM_FAILED';
      throw error;
    }
  }

  /** Notes a whole response. */
  respond(response: ChatResponse): ChatResponse {
    this.firstByteAt ??= performance.now();
    this.usage = response.usage;
    return response;
  }
}

/**
 * Admits the request (throws the caller's 403/429/402 as LlmProxyError) and returns its meter.
 * Without accounting (tests that build the app alone) the meter only observes.
 */
export async function meterChatRequest(
  accounting: CallerAccounting | undefined,
  request: Request,
  response: Response,
  route: { backend: Backend; model: string },
  chatRequest: ChatRequest,
): Promise<ChatMeter> {
  const meter = new ChatMeter();
  if (accounting === undefined) return meter;
  const context = requestContextOf(response);
  const callerId = context.userId ?? ANONYMOUS_CALLER;
  const startedAtEpoch = Date.now() - (performance.now() - context.startedAt);
  const held: { ticket?: AdmissionTicket } = {};
  context.whenClosed.push(() => {
    held.ticket?.finish(meter.usage);
    record(accounting, context, request, response, route, callerId, startedAtEpoch, meter);
  });
  const policy = accounting.policies.policyFor(callerId, context.callerGroups);
  held.ticket = await accounting.admission.admit({
    policy,
    backend: route.backend.name,
    model: route.model,
    estimateInputTokens: () => estimateInputTokens(chatRequest),
    budgetStatus: context.family === 'anthropic' ? 402 : 429,
  });
  return meter;
}

function record(
  accounting: CallerAccounting,
  context: RequestContext,
  request: Request,
  response: Response,
  route: { backend: Backend; model: string },
  callerId: string,
  startedAt: number,
  meter: ChatMeter,
): void {
  const { recorder } = accounting;
  if (recorder === undefined) return;
  const usage = meter.usage;
  const costUsd = usage === undefined ? null : accounting.prices.costOf({ backend: route.backend.name, connectorId: route.backend.connectorId, model: route.model }, usage);
  if (costUsd !== null && costUsd > 0) accounting.ledger?.add(callerId, startedAt, costUsd);
  const disconnected = !response.writableFinished;
  recorder.record({
    requestId: context.requestId,
    startedAt: Math.round(startedAt),
    caller: callerId,
    frontend: frontendOf(request.path),
    backend: route.backend.name,
    model: route.model,
    status: response.statusCode,
    errorCode: meter.streamErrorCode ?? context.errorCode ?? (disconnected ? 'CLIENT_DISCONNECTED' : null),
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cachedInputTokens: usage?.cachedInputTokens ?? null,
    reasoningTokens: usage?.reasoningTokens ?? null,
    latencyMs: round(performance.now() - context.startedAt),
    ttfbMs: meter.firstByteAt === undefined ? null : round(meter.firstByteAt - context.startedAt),
    costUsd,
  });
}

/** The client API of a chat path (the chat routes are fixed in create-app.ts). */
function frontendOf(path: string): string {
  if (path.endsWith('/chat/completions')) return 'openai-chat';
  if (path.endsWith('/responses')) return 'openai-responses';
  if (path.endsWith('/messages')) return 'anthropic-messages';
  return 'gemini';
}

function round(milliseconds: number): number {
  return Math.round(milliseconds * 1000) / 1000;
}
