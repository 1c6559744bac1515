/**
 * @fileoverview Reasoning effort levels and thinking-token budgets, converted both ways for
 * upstreams that speak only one of them. The ranges are chosen so that effort → budget → effort
 * is the identity.
 */
import type { ReasoningEffort } from '@llmproxy/connector-sdk';

const BUDGET_BY_EFFORT: Readonly<Record<ReasoningEffort, number>> = {
  minimal: 1024,
  low: 4096,
  medium: 16384,
  high: 32768,
};

/** The effort level whose budget range contains `budgetTokens`. */
export function effortFromBudgetTokens(budgetTokens: number): ReasoningEffort {
  if (budgetTokens <= BUDGET_BY_EFFORT.minimal) return 'minimal';
  if (budgetTokens <= BUDGET_BY_EFFORT.low) return 'low';
  if (budgetTokens <= BUDGET_BY_EFFORT.medium) return 'medium';
  return 'high';
}

/** A thinking budget representative of `effort`. */
export function budgetTokensFromEffort(effort: ReasoningEffort): number {
  return BUDGET_BY_EFFORT[effort];
}
