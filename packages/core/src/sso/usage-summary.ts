/**
 * @fileoverview What the token page shows a signed-in user of their own usage and budgets. The
 * numbers come from the server's usage records through a reader handed to the SSO service, so
 * the SSO pages need not know how usage is stored.
 */
import type { SsoUser } from './sso-user.js';

export interface UsagePeriodSummary {
  /** `Today (UTC)`, `This month (UTC)`. */
  label: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** The priced requests' cost in US dollars. */
  costUsd: number;
  /** Requests whose cost is unknown. */
  unpricedRequests: number;
}

export interface BudgetSummary {
  usd: number;
  period: 'day' | 'month';
  spentUsd: number;
  remainingUsd: number;
  /** Unix milliseconds. */
  resetsAt: number;
}

export interface UsageSummary {
  periods: readonly UsagePeriodSummary[];
  budgets: readonly BudgetSummary[];
}

/** Undefined when usage recording is off. */
export type UsageSummaryReader = (user: SsoUser) => Promise<UsageSummary | undefined>;
