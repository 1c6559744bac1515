/**
 * @fileoverview When a Kiro account's monthly quota resets, as its usage-limits API reports it:
 * `GET {api}/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST` (with the
 * `profileArn` of a social login), whose answer carries `nextDateReset` (unix seconds), at the
 * top or per entry of `usageBreakdownList`. Without an answer, the first day of next month (UTC).
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { ConnectorLogger, UpstreamHttpClient } from '@llmproxy/connector-sdk';

const USAGE_LIMITS_TIMEOUT_MS = 15_000;

export interface UsageLimitsQuery {
  http: UpstreamHttpClient;
  apiBaseUrl: string;
  accessToken: string;
  profileArn: string | undefined;
  logger: ConnectorLogger;
  backendName: string;
  now: number;
}

/** The reset in epoch milliseconds, from the API or else the first day of next month (UTC). */
export async function kiroQuotaResetMs(query: UsageLimitsQuery): Promise<{ resetMs: number; source: 'usage-limits' | 'next-month' }> {
  const reported = await reportedResetMs(query);
  if (reported !== undefined && reported > query.now) return { resetMs: reported, source: 'usage-limits' };
  return { resetMs: firstDayOfNextMonthUtc(query.now), source: 'next-month' };
}

export function firstDayOfNextMonthUtc(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

async function reportedResetMs(query: UsageLimitsQuery): Promise<number | undefined> {
  const url = new URL(`${query.apiBaseUrl}/getUsageLimits`);
  url.searchParams.set('origin', 'AI_EDITOR');
  url.searchParams.set('resourceType', 'AGENTIC_REQUEST');
  if (query.profileArn !== undefined) url.searchParams.set('profileArn', query.profileArn);
  try {
    const response = await query.http.send({
      method: 'GET',
      url: url.toString(),
      headers: { authorization: `Bearer ${query.accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(USAGE_LIMITS_TIMEOUT_MS),
    });
    if (response.status < 200 || response.status >= 300) {
      response.discard();
      query.logger.warn(`Kiro's usage-limits API answered HTTP ${response.status}; assuming the quota resets on the first day of next month`, { backend: query.backendName });
      return undefined;
    }
    return resetOf(await response.json());
  } catch (error) {
    query.logger.warn(`Kiro's usage-limits API could not be read (${(error as Error).message}); assuming the quota resets on the first day of next month`, { backend: query.backendName });
    return undefined;
  }
}

function resetOf(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const top = timeOf(record['nextDateReset']);
  if (top !== undefined) return top;
  const breakdown = Array.isArray(record['usageBreakdownList']) ? record['usageBreakdownList'] : [];
  const times = breakdown.map((entry) => (isRecord(entry) ? timeOf(entry['nextDateReset']) : undefined));
  const known = times.filter((time): time is number => time !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}

/** Unix seconds (possibly fractional), epoch milliseconds, or an ISO date. */
function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string' && value !== '') {
    const number = Number(value);
    if (Number.isFinite(number)) return timeOf(number);
    const parsed = Date.parse(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
