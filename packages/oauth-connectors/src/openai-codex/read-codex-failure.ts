/**
 * @fileoverview What an error answer of the ChatGPT Codex backend means for the account that got
 * it. The backend reports `{"error": {"type": ..., "message": ..., "resets_at": ..., ...}}`:
 *
 * - 429 `usage_limit_reached`: the account's plan window is used up until `resets_at` (unix
 *   seconds; or `resets_in_seconds`, or the reset of a used-up rate-limit header window);
 * - `usage_not_included`: the account's plan does not include Codex;
 * - any other 429: a short rate limit (`retry-after`, else a default cooldown);
 * - 401: the access token was refused.
 */
import { isRecord, UpstreamError } from '@llmproxy/connector-sdk';
import type { UpstreamErrorAnswer, UpstreamErrorBody } from '@llmproxy/connector-sdk';
import { exhaustedWindowResetMs, readCodexRateLimits } from './codex-rate-limits.js';

export type CodexFailure =
  | { kind: 'usage-limit'; resetsAtMs: number | undefined; planType: string | undefined; error: UpstreamError }
  | { kind: 'usage-not-included'; planType: string | undefined; error: UpstreamError }
  | { kind: 'rate-limited'; retryAfterSeconds: number | undefined; error: UpstreamError }
  | { kind: 'unauthorized'; error: UpstreamError }
  | { kind: 'other'; error: UpstreamError };

/** The failures that concern the account rather than the request. */
export type CodexAccountLevelFailure = Extract<CodexFailure, { kind: 'usage-limit' | 'usage-not-included' | 'rate-limited' }>;

/** Headers a client may act on; read the answer with `readUpstreamErrorBody(response, { passOnHeaders })`. */
export const CODEX_PASSED_ON_HEADERS: readonly string[] = Object.freeze(['retry-after', 'x-request-id']);

export function readCodexFailure(
  answer: UpstreamErrorAnswer,
  /** All the answer's headers: the rate-limit windows may tell when a usage limit resets. */
  headers: Readonly<Record<string, string | string[] | undefined>>,
  backendName: string,
  now: number,
): CodexFailure {
  const { status, text } = answer;
  const detail = errorDetail(answer.json);
  const type = stringOf(detail['type']) ?? stringOf(detail['code']);
  const planType = stringOf(detail['plan_type']);
  const upstreamError: UpstreamErrorBody = {
    message: stringOf(detail['message']) ?? (text.trim() === '' ? `HTTP ${status}` : text.replace(/\s+/g, ' ').trim().slice(0, 300)),
    ...(type === undefined ? {} : { type, code: type }),
  };
  const error = new UpstreamError({ backend: backendName, status, error: upstreamError, headers: answer.headers });

  if (type === 'usage_not_included') return { kind: 'usage-not-included', planType, error };
  if (type === 'usage_limit_reached') {
    const resetsAt = numberOf(detail['resets_at']);
    const resetsIn = numberOf(detail['resets_in_seconds']);
    const resetsAtMs =
      resetsAt !== undefined ? resetsAt * 1000 : resetsIn !== undefined ? now + resetsIn * 1000 : exhaustedWindowResetMs(readCodexRateLimits(headers));
    return { kind: 'usage-limit', resetsAtMs, planType, error };
  }
  if (status === 429) return { kind: 'rate-limited', retryAfterSeconds: retryAfterSeconds(headers['retry-after'], now), error };
  if (status === 401) return { kind: 'unauthorized', error };
  return { kind: 'other', error };
}

/** Reads a failure a stream reported before any output (`response.failed`, `error` events). */
export function codexFailureOfStreamError(
  error: UpstreamError,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): CodexAccountLevelFailure | undefined {
  const type = String(error.upstreamError.code ?? error.upstreamError.type ?? '');
  if (type === 'usage_limit_reached') return { kind: 'usage-limit', resetsAtMs: exhaustedWindowResetMs(readCodexRateLimits(headers)), planType: undefined, error };
  if (type === 'usage_not_included') return { kind: 'usage-not-included', planType: undefined, error };
  if (type === 'rate_limit_exceeded') return { kind: 'rate-limited', retryAfterSeconds: undefined, error };
  return undefined;
}

function errorDetail(json: unknown): Record<string, unknown> {
  if (!isRecord(json)) return {};
  return isRecord(json['error']) ? json['error'] : json;
}

function retryAfterSeconds(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}
