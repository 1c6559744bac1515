/**
 * @fileoverview The ChatGPT backend's rate-limit headers: for the primary (short, e.g. 5 hours)
 * and secondary (long, e.g. weekly) windows, `x-codex-<window>-used-percent`,
 * `x-codex-<window>-window-minutes` and `x-codex-<window>-reset-at` (unix seconds).
 */

export const CODEX_RATE_LIMIT_WINDOWS = ['primary', 'secondary'] as const;
export type CodexRateLimitWindowName = (typeof CODEX_RATE_LIMIT_WINDOWS)[number];

export interface CodexRateLimitWindow {
  usedPercent: number;
  windowMinutes: number | undefined;
  /** When the window resets, in epoch milliseconds. */
  resetsAtMs: number | undefined;
}

export type CodexRateLimits = Partial<Record<CodexRateLimitWindowName, CodexRateLimitWindow>>;

export function readCodexRateLimits(headers: Readonly<Record<string, string | string[] | undefined>>): CodexRateLimits {
  const limits: CodexRateLimits = {};
  for (const window of CODEX_RATE_LIMIT_WINDOWS) {
    const usedPercent = numberHeader(headers, `x-codex-${window}-used-percent`);
    if (usedPercent === undefined) continue;
    const resetAt = numberHeader(headers, `x-codex-${window}-reset-at`);
    limits[window] = {
      usedPercent,
      windowMinutes: numberHeader(headers, `x-codex-${window}-window-minutes`),
      resetsAtMs: resetAt === undefined ? undefined : resetAt * 1000,
    };
  }
  return limits;
}

/** The latest reset among windows that are used up, in epoch milliseconds. */
export function exhaustedWindowResetMs(limits: CodexRateLimits): number | undefined {
  let latest: number | undefined;
  for (const window of Object.values(limits)) {
    if (window.usedPercent >= 100 && window.resetsAtMs !== undefined) latest = Math.max(latest ?? 0, window.resetsAtMs);
  }
  return latest;
}

function numberHeader(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): number | undefined {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
