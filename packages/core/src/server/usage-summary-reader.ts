/**
 * @fileoverview The SSO token page's view of a user's own usage: today's and this month's totals
 * from the usage records, and each budget with what is left and when it resets.
 */
import { periodEnd, periodStart } from '../callers/budget-periods.js';
import type { UsageSummaryReader } from '../sso/usage-summary.js';
import type { CallerAccounting } from './caller-accounting.js';

export function usageSummaryReader(accounting: CallerAccounting, now: () => number = Date.now): UsageSummaryReader {
  return async (user) => {
    const { usageStore: store, recorder, ledger } = accounting;
    if (store === undefined) return undefined;
    await recorder?.flush();
    const at = now();
    const policy = accounting.policies.policyFor(user.id, user.groups);
    const periods = [];
    for (const [label, period] of [['Today (UTC)', 'day'], ['This month (UTC)', 'month']] as const) {
      const [totals] = await store.totals({ caller: user.id, from: periodStart(period, at) }, 'caller');
      periods.push({
        label,
        requests: totals?.requests ?? 0,
        inputTokens: totals?.inputTokens ?? 0,
        outputTokens: totals?.outputTokens ?? 0,
        costUsd: totals?.costUsd ?? 0,
        unpricedRequests: totals?.unpricedRequests ?? 0,
      });
    }
    const budgets = [];
    for (const budget of policy.budgets) {
      const spentUsd = ledger === undefined ? 0 : await ledger.spent(user.id, budget.period, at);
      budgets.push({ ...budget, spentUsd, remainingUsd: Math.max(0, budget.usd - spentUsd), resetsAt: periodEnd(budget.period, at) });
    }
    return { periods, budgets };
  };
}
