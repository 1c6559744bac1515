/**
 * @fileoverview Which address a request comes from, for the failed-attempt limiter and the
 * logs. The socket's peer is the client unless it is one of the configured trusted reverse
 * proxies (`server.trust_proxy`); then `X-Forwarded-For` is read from the right, skipping
 * trusted proxies, and the first untrusted address is the client. Entries to its left were
 * written by whoever the untrusted hop was, so they can be forged and are never believed.
 */
import { BlockList, isIP } from 'node:net';
import type { Request } from 'express';

export type ClientAddressOf = (request: Request) => string;

/** A resolver for the given trusted proxies (addresses or CIDR ranges, already validated). */
export function clientAddressResolver(trustedProxies: readonly string[]): ClientAddressOf {
  const peerOf = (request: Request): string => normalize(request.socket.remoteAddress ?? 'unknown');
  if (trustedProxies.length === 0) return peerOf;
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  const isTrusted = (address: string): boolean => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (request) => {
    let client = peerOf(request);
    if (!isTrusted(client)) return client;
    const header = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop !== '');
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const hop = normalize(hops[index] ?? '');
      // A hop that is not an address ends the walk at the trusted proxy that passed it on.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!isTrusted(client)) return client;
    }
    // Every hop was a trusted proxy: the left-most one is as close to the client as we know.
    return client;
  };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}
