/**
 * @fileoverview The chat route's hook for callers: {@link meterChatRequest} runs after the model
 * route is known and before the upstream call (the admission check: models, budgets, limits),
 * and when the response closes gives back the caller's limits and writes the usage record from
 * what the route noted on the request context (the upstream's usage, the first byte, an error).
 * Kept out of the route so the route stays about relaying.
 */
import { performance } from 'node:perf_hooks';
import type { Response } from 'express';

import type { AdmissionTicket } from '../callers/admission.js';
import type { Backend } from '../plugins/backend-registry.js';
import type { CallerAccounting } from './caller-accounting.js';
import { requestContextOf, type RequestContext } from './request-context.js';

/** The caller of requests served with authentication off. */
export const ANONYMOUS_CALLER = 'anonymous';

/**
 * Admits the request (throws the caller's 403/429/402 as LlmProxyError). `route` is read again
 * when the response closes: a model route's fallback may have moved it to another target.
 * Without accounting (tests that build the app alone) it does nothing.
 */
export async function meterChatRequest(
  accounting: CallerAccounting | undefined,
  /** The client API (the front-end's name), for the usage record. */
  frontend: string,
  response: Response,
  route: { backend: Backend; model: string },
  estimateInputTokens: () => number,
): Promise<void> {
  if (accounting === undefined) return;
  const context = requestContextOf(response);
  const callerId = context.userId ?? ANONYMOUS_CALLER;
  const startedAtEpoch = Date.now() - (performance.now() - context.startedAt);
  const held: { ticket?: AdmissionTicket } = {};
  context.whenClosed.push(() => {
    held.ticket?.finish(context.usage);
    record(accounting, context, frontend, response, route, callerId, startedAtEpoch);
  });
  const policy = accounting.policies.policyFor(callerId, context.callerGroups);
  held.ticket = await accounting.admission.admit({
    policy,
    backend: route.backend.name,
    model: route.model,
    estimateInputTokens,
    budgetStatus: context.family === 'anthropic' ? 402 : 429,
  });
}

function record(
  accounting: CallerAccounting,
  context: RequestContext,
  frontend: string,
  response: Response,
  route: { backend: Backend; model: string },
  callerId: string,
  startedAt: number,
): void {
  const { recorder } = accounting;
  if (recorder === undefined) return;
  const usage = context.usage;
  const costUsd = usage === undefined ? null : accounting.prices.costOf({ backend: route.backend.name, connectorId: route.backend.connectorId, model: route.model }, usage);
  if (costUsd !== null && costUsd > 0) accounting.ledger?.add(callerId, startedAt, costUsd);
  // For the cost counter and span attribute (metrics and traces end after this step).
  if (costUsd !== null && context.chat !== undefined) context.chat.costUsd = costUsd;
  const disconnected = !response.writableFinished;
  recorder.record({
    requestId: context.requestId,
    startedAt: Math.round(startedAt),
    caller: callerId,
    frontend,
    backend: route.backend.name,
    model: route.model,
    status: response.statusCode,
    errorCode: context.errorCode ?? (disconnected ? 'CLIENT_DISCONNECTED' : null),
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cachedInputTokens: usage?.cachedInputTokens ?? null,
    reasoningTokens: usage?.reasoningTokens ?? null,
    latencyMs: round(performance.now() - context.startedAt),
    ttfbMs: context.firstByteAt === undefined ? null : round(context.firstByteAt - context.startedAt),
    costUsd,
  });
}


function round(milliseconds: number): number {
  return Math.round(milliseconds * 1000) / 1000;
}
