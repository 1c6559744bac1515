/**
 * @fileoverview What an error answer of Kiro's API means for the account that got it:
 *
 * - HTTP 402 whose `reason` is `MONTHLY_REQUEST_COUNT` or `OVERAGE_REQUEST_LIMIT_EXCEEDED`: the
 *   monthly quota is used up (detected by the reason, not the status alone);
 * - HTTP 429: throttled, for `Retry-After` (usually absent) or a default;
 * - HTTP 401 or 403: the bearer token was refused (refreshed once, then the login is at fault);
 * - anything else: an error of the request, passed on.
 */
import { isRecord, UpstreamError } from '@llmproxy/connector-sdk';
import type { UpstreamErrorAnswer } from '@llmproxy/connector-sdk';

export const KIRO_MONTHLY_QUOTA_REASONS: readonly string[] = Object.freeze(['MONTHLY_REQUEST_COUNT', 'OVERAGE_REQUEST_LIMIT_EXCEEDED']);

export type KiroFailure =
  | { kind: 'monthly-quota'; reason: string; error: UpstreamError }
  | { kind: 'throttled'; retryAfterSeconds: number | undefined; error: UpstreamError }
  | { kind: 'unauthorized'; error: UpstreamError }
  | { kind: 'other'; error: UpstreamError };

/** The headers a Kiro error answer is read with (`readUpstreamErrorBody(response, { passOnHeaders })`). */
export const KIRO_ERROR_HEADERS: readonly string[] = Object.freeze(['retry-after', 'x-amzn-errortype']);

export function readKiroFailure(answer: UpstreamErrorAnswer, backendName: string, now: number): KiroFailure {
  const { status, text } = answer;
  const body = isRecord(answer.json) ? answer.json : {};
  const reason = typeof body['reason'] === 'string' ? body['reason'] : undefined;
  const type = answer.headers['x-amzn-errortype']?.split(':')[0] ?? (typeof body['__type'] === 'string' ? body['__type'].split('#').pop() : undefined);
  const message = typeof body['message'] === 'string' ? body['message'] : typeof body['Message'] === 'string' ? body['Message'] : text.trim() === '' ? `HTTP ${status}` : text.trim().slice(0, 300);
  const retryAfter = answer.headers['retry-after'];
  const error = new UpstreamError({
    backend: backendName,
    status,
    error: { message, ...(type === undefined ? {} : { type }), ...(reason === undefined ? {} : { code: reason }) },
    ...(typeof retryAfter === 'string' ? { headers: { 'retry-after': retryAfter } } : {}),
  });
  if (reason !== undefined && KIRO_MONTHLY_QUOTA_REASONS.includes(reason)) return { kind: 'monthly-quota', reason, error };
  if (status === 429) return { kind: 'throttled', retryAfterSeconds: retryAfterSeconds(retryAfter, now), error };
  if (status === 401 || status === 403) return { kind: 'unauthorized', error };
  return { kind: 'other', error };
}

function retryAfterSeconds(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : undefined;
}
