/**
 * @fileoverview Which bind addresses count as loopback ("localhost") for notifications, key
 * generation and Multi User Mode's authentication rule.
 */

/** The bind hosts the access-mode spec treats as local. */
export const LOOPBACK_HOSTS: readonly string[] = Object.freeze(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.includes(host.toLowerCase());
}
