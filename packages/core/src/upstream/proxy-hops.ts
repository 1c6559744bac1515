/**
 * @fileoverview Loop detection between llmproxy instances. Every upstream request carries
 * `x-llmproxy-hops`: the instance ids of the proxies the client's request already passed (as it
 * arrived) followed by this process's own id. A proxy that receives a request whose hops contain
 * its own id is being called by itself, directly or through other proxies, and refuses it (the
 * server's loop guard), instead of sending it round until a timeout or a socket limit ends it.
 *
 * The incoming hops of a request are looked up by its abort signal, as the upstream timing is:
 * connectors pass that signal on every upstream request they make for it.
 */
import { randomBytes } from 'node:crypto';

export const PROXY_HOPS_HEADER = 'x-llmproxy-hops';

/** Random per process; says nothing about the host, the user or the configuration. */
export const PROXY_INSTANCE_ID = randomBytes(12).toString('base64url');

/** A request that already passed this many proxies is refused, whatever their ids. */
export const MAX_PROXY_HOPS = 8;

const incomingHops = new WeakMap<AbortSignal, readonly string[]>();

/** Records the hops a client request arrived with, for the upstream requests sent on its behalf. */
export function recordIncomingHops(signal: AbortSignal, hops: readonly string[]): void {
  if (hops.length > 0) incomingHops.set(signal, hops);
}

/** The `x-llmproxy-hops` value for an upstream request sent with `signal`. */
export function outgoingHopsHeader(signal: AbortSignal): string {
  const before = incomingHops.get(signal);
  return before === undefined ? PROXY_INSTANCE_ID : [...before, PROXY_INSTANCE_ID].join(', ');
}

/**
 * The instance ids in a received `x-llmproxy-hops` header (repeated headers joined), at most
 * `MAX_PROXY_HOPS + 1` of them: more than that is refused anyway.
 */
export function parseHopsHeader(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  const ids: string[] = [];
  for (const part of joined.split(',')) {
    const id = part.trim();
    if (id === '') continue;
    ids.push(id);
    if (ids.length > MAX_PROXY_HOPS) break;
  }
  return ids;
}
