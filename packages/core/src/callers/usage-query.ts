/**
 * @fileoverview The read-back query of `llm-proxy usage` and `/admin/usage`: a grouping and a
 * date range, from text. Dates are UTC days (`2026-03-01`; `--to` includes its whole day) or
 * full ISO 8601 times.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { UsageGrouping, UsageQuery } from '../storage/usage-store.js';

export const USAGE_GROUPINGS: readonly UsageGrouping[] = ['caller', 'model', 'day'];

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export interface UsageQueryText {
  groupBy?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  caller?: string | undefined;
}

/** Throws LlmProxyError USAGE_QUERY_INVALID (400) naming the bad part. */
export function parseUsageQuery(text: UsageQueryText): { query: UsageQuery; groupBy: UsageGrouping } {
  const groupBy = (text.groupBy ?? 'caller') as UsageGrouping;
  if (!USAGE_GROUPINGS.includes(groupBy)) throw invalid('group_by', text.groupBy, `one of ${USAGE_GROUPINGS.join(', ')}`);
  const query: UsageQuery = {};
  if (text.from !== undefined && text.from !== '') query.from = parseTime('from', text.from, 'start');
  if (text.to !== undefined && text.to !== '') query.to = parseTime('to', text.to, 'end');
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
    throw invalid('to', text.to, `a date after from (${text.from})`);
  }
  if (text.caller !== undefined && text.caller !== '') query.caller = text.caller;
  return { query, groupBy };
}

function parseTime(name: string, value: string, edge: 'start' | 'end'): number {
  const time = Date.parse(DAY_PATTERN.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) throw invalid(name, value, 'a UTC day such as 2026-03-01 or an ISO 8601 time such as 2026-03-01T12:00:00Z');
  // A day given as `to` includes that whole day.
  return edge === 'end' && DAY_PATTERN.test(value) ? time + DAY_MS : time;
}

function invalid(name: string, value: string | undefined, allowed: string): LlmProxyError {
  return new LlmProxyError({
    code: 'USAGE_QUERY_INVALID',
    message: `Invalid usage query: ${name} must be ${allowed}`,
    currentValue: `${name}: ${JSON.stringify(value ?? '')}`,
    fix: `Give ${name} as ${allowed}`,
    httpStatus: 400,
  });
}
