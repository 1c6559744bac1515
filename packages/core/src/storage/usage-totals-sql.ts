/**
 * @fileoverview What both SQL usage stores (SQLite, PostgreSQL) sum per group, and how a summed
 * row becomes {@link UsageTotals}: one definition, so the two stores report the same totals.
 */
import type { UsageTotals } from './usage-store.js';

/** The sums after the key, as one SELECT list (the same SQL in both dialects). */
export const USAGE_TOTALS_COLUMNS = `COUNT(*) AS requests,
  SUM(CASE WHEN status >= 400 OR error_code IS NOT NULL THEN 1 ELSE 0 END) AS failed_requests,
  COALESCE(SUM(input_tokens), 0) AS input_tokens,
  COALESCE(SUM(output_tokens), 0) AS output_tokens,
  COALESCE(SUM(cached_input_tokens), 0) AS cached_input_tokens,
  COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens,
  COALESCE(SUM(cost_usd), 0) AS cost_usd,
  SUM(CASE WHEN cost_usd IS NULL AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL) THEN 1 ELSE 0 END) AS unpriced_requests`;

export interface UsageTotalsRow {
  key: string;
  requests: number;
  failed_requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  unpriced_requests: number;
}

export function usageTotalsFromRow(row: UsageTotalsRow): UsageTotals {
  return {
    key: row.key,
    requests: row.requests,
    failedRequests: row.failed_requests,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedInputTokens: row.cached_input_tokens,
    reasoningTokens: row.reasoning_tokens,
    costUsd: row.cost_usd,
    unpricedRequests: row.unpriced_requests,
  };
}
