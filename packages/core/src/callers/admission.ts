/**
 * @fileoverview The checks a chat request passes before any upstream byte is sent: the model is
 * among the caller's patterns, no budget is spent, and the caller is under its concurrent,
 * per-minute request and per-minute token limits. Tokens are not known before the answer, so
 * an estimate of the input is reserved and corrected with the real usage when the request ends
 * (a stream, when it finishes). A request refused by one limit takes nothing from the others.
 */
import { LlmProxyError, type Usage } from '@llmproxy/connector-sdk';

import type { Budget } from '../config/proxy-settings.js';
import type { CounterWindow, RateCounters } from '../storage/rate-counters.js';
import type { BudgetTotals } from './budget-ledger.js';
import { periodEnd } from './budget-periods.js';
import type { CallerPolicy } from './caller-policies.js';

const MINUTE: Omit<CounterWindow, 'limit'> = { windowSeconds: 60 };
/** Concurrency slots never expire: they are given back when the request ends. */
const HELD: Omit<CounterWindow, 'limit'> = { windowSeconds: 0 };

export interface AdmissionRequest {
  policy: CallerPolicy;
  backend: string;
  model: string;
  /** An estimate of the request's input tokens; called only when a token limit applies. */
  estimateInputTokens(): number;
  /**
   * The status of a spent budget: 402 where the client API has a payment error (Anthropic's
   * `billing_error`), 429 elsewhere.
   */
  budgetStatus: 402 | 429;
}

export interface AdmissionTicket {
  /** Gives back the request's concurrency slot and corrects its token estimate; call once. */
  finish(usage: Usage | undefined): void;
}

const NOTHING_HELD: AdmissionTicket = { finish: () => undefined };

export class Admission {
  constructor(
    private readonly counters: RateCounters,
    private readonly ledger: BudgetTotals | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws LlmProxyError CALLER_MODEL_NOT_ALLOWED, CALLER_BUDGET_EXCEEDED or CALLER_RATE_LIMITED. */
  async admit(request: AdmissionRequest): Promise<AdmissionTicket> {
    const { policy } = request;
    const target = `${request.backend}:${request.model}`;
    if (!policy.allowsModel(target)) throw modelNotAllowed(policy, target);
    for (const budget of policy.budgets) await this.checkBudget(request, budget);

    const { concurrentStreams, requestsPerMinute, tokensPerMinute } = policy.limits;
    if (concurrentStreams === undefined && requestsPerMinute === undefined && tokensPerMinute === undefined) return NOTHING_HELD;
    const caller = policy.callerId;
    const undo: (() => Promise<void>)[] = [];
    const refuse = async (error: LlmProxyError): Promise<never> => {
      for (const step of undo) await step();
      throw error;
    };

    if (concurrentStreams !== undefined) {
      const window = { ...HELD, limit: concurrentStreams };
      const verdict = await this.counters.take(`streams:${caller}`, 1, window);
      if (!verdict.allowed) await refuse(rateLimited(policy, `${concurrentStreams} concurrent requests`, 'limits.concurrent_streams', 1));
      undo.push(() => this.counters.adjust(`streams:${caller}`, -1, window));
    }
    if (requestsPerMinute !== undefined) {
      const window = { ...MINUTE, limit: requestsPerMinute };
      const verdict = await this.counters.take(`requests:${caller}`, 1, window);
      if (!verdict.allowed) {
        await refuse(rateLimited(policy, `${requestsPerMinute} requests per minute`, 'limits.requests_per_minute', seconds(verdict.retryAfterMs)));
      }
    }
    let reservedTokens = 0;
    if (tokensPerMinute !== undefined) {
      const window = { ...MINUTE, limit: tokensPerMinute };
      // An estimate above the whole limit would never fit; the real usage corrects it anyway.
      reservedTokens = Math.max(1, Math.min(Math.round(request.estimateInputTokens()), tokensPerMinute));
      const verdict = await this.counters.take(`tokens:${caller}`, reservedTokens, window);
      if (!verdict.allowed) {
        if (requestsPerMinute !== undefined) await this.counters.adjust(`requests:${caller}`, -1, { ...MINUTE, limit: requestsPerMinute });
        await refuse(rateLimited(policy, `${tokensPerMinute} tokens per minute`, 'limits.tokens_per_minute', seconds(verdict.retryAfterMs)));
      }
    }

    let finished = false;
    return {
      finish: (usage) => {
        if (finished) return;
        finished = true;
        if (concurrentStreams !== undefined) void this.counters.adjust(`streams:${caller}`, -1, { ...HELD, limit: concurrentStreams });
        if (tokensPerMinute !== undefined && usage !== undefined) {
          const used = usage.inputTokens + usage.outputTokens;
          void this.counters.adjust(`tokens:${caller}`, used - reservedTokens, { ...MINUTE, limit: tokensPerMinute });
        }
      },
    };
  }

  private async checkBudget(request: AdmissionRequest, budget: Budget): Promise<void> {
    if (this.ledger === undefined) return;
    const now = this.now();
    const spent = await this.ledger.spent(request.policy.callerId, budget.period, now);
    if (spent < budget.usd) return;
    const resetsAt = periodEnd(budget.period, now);
    const retryAfterSeconds = seconds(resetsAt - now);
    throw new LlmProxyError({
      code: 'CALLER_BUDGET_EXCEEDED',
      message:
        `Budget exceeded: ${request.policy.name} has spent $${spent.toFixed(4)} of its $${budget.usd} per ${budget.period} budget; ` +
        `it resets at ${new Date(resetsAt).toISOString()}`,
      currentValue: `$${spent.toFixed(4)} spent this ${budget.period}, budget $${budget.usd}`,
      fix: `Wait until ${new Date(resetsAt).toISOString()}, or ask the operator to raise the budget (budgets in caller settings)`,
      httpStatus: request.budgetStatus,
      details: { retryAfterSeconds, budgetUsd: budget.usd, period: budget.period, resetsAt: new Date(resetsAt).toISOString() },
    });
  }
}

function seconds(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1000));
}

function modelNotAllowed(policy: CallerPolicy, target: string): LlmProxyError {
  const patterns = policy.modelPatterns ?? [];
  return new LlmProxyError({
    code: 'CALLER_MODEL_NOT_ALLOWED',
    message:
      `Model not allowed: ${policy.name} may not use ${target}; ` +
      (patterns.length === 0 ? 'no model is allowed' : `allowed models: ${patterns.join(', ')}`),
    currentValue: target,
    fix: 'Use a model that matches one of the allowed patterns, or ask the operator to add it to your models in the caller settings',
    httpStatus: 403,
  });
}

function rateLimited(policy: CallerPolicy, limit: string, setting: string, retryAfterSeconds: number): LlmProxyError {
  return new LlmProxyError({
    code: 'CALLER_RATE_LIMITED',
    message: `Rate limit reached: ${policy.name} may send ${limit}; retry in ${retryAfterSeconds} seconds`,
    currentValue: `${setting}: ${limit}`,
    fix: `Wait ${retryAfterSeconds} seconds (the Retry-After header), or ask the operator to raise ${setting}`,
    httpStatus: 429,
    details: { retryAfterSeconds },
  });
}
