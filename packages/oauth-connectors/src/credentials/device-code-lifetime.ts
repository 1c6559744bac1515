/**
 * @fileoverview How long a device code stays valid: the authorization server's `expires_in`
 * (seconds), bounded so that a missing, broken or absurd value neither ends the login at once
 * nor keeps it polling for days, and said in words for the user.
 */

/** RFC 8628 leaves the lifetime to the server; 10 minutes is what Qwen and AWS give. */
const FALLBACK_SECONDS = 600;
const LONGEST_SECONDS = 3600;

export function deviceCodeLifetimeSeconds(expiresIn: unknown): number {
  const seconds = Number(expiresIn);
  if (!Number.isFinite(seconds) || seconds <= 0) return FALLBACK_SECONDS;
  return Math.min(Math.floor(seconds), LONGEST_SECONDS);
}

/** `10 minutes`, `1 minute 30 seconds`, `45 seconds`. */
export function describeLifetime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const unit = (count: number, name: string): string => `${count} ${name}${count === 1 ? '' : 's'}`;
  if (minutes === 0) return unit(rest, 'second');
  return rest === 0 ? unit(minutes, 'minute') : `${unit(minutes, 'minute')} ${unit(rest, 'second')}`;
}
