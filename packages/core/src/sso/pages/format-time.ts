/**
 * @fileoverview Times on the sign-in pages and in `llm-proxy tokens list`: UTC to the minute,
 * the same for every viewer and every server.
 */

export function formatTime(milliseconds: number | undefined): string {
  if (milliseconds === undefined) return 'never';
  return `${new Date(milliseconds).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
