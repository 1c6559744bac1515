/**
 * @fileoverview Reads how long an upstream asked us to wait after a 429.
 */

/**
 * Seconds from a `retry-after-ms` header (OpenAI) or a `retry-after` header (seconds, or an
 * HTTP date), rounded up; undefined when neither is present or readable. `now` is the current
 * time in milliseconds, for HTTP dates.
 */
export function parseRetryAfter(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: number = Date.now(),
): number | undefined {
  const milliseconds = Number(firstValue(headers['retry-after-ms']));
  if (firstValue(headers['retry-after-ms']) !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) {
    return Math.ceil(milliseconds / 1000);
  }
  const value = firstValue(headers['retry-after'])?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(value)) return Math.ceil(Number(value));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
