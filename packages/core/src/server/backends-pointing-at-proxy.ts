/**
 * @fileoverview The startup half of "a proxy never calls itself": a backend whose base URL
 * reaches the proxy's own listening socket stops startup, naming the variable or setting that set
 * the URL. The usual cause is a client's `ANTHROPIC_BASE_URL` / `OPENAI_BASE_URL` exported in the
 * shell the proxy was started from, since the proxy reads the same variables for its backends.
 * (The run-time half, for loops through other proxies or names this check cannot see, is the
 * hops header: proxy-loop-guard.ts.)
 *
 * A URL reaches the proxy when its port is the proxy's and its host resolves to an address the
 * proxy's socket answers on: with a wildcard bind (`0.0.0.0`, `::`) any address of this machine
 * (loopback, the wildcard itself, or an interface address); otherwise the bound address, or a
 * loopback or wildcard address when the bound address is loopback. Host names are resolved only
 * for URLs on the proxy's port, so other backends cost no lookup.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { LlmProxyError, type UpstreamBaseUrl } from '@llmproxy/connector-sdk';
import { throwStartupErrors } from '../config/startup-errors.js';
import type { Backend } from '../plugins/load-backends.js';

/** How long one host name lookup may take before the name counts as not reaching the proxy. */
const LOOKUP_TIMEOUT_MS = 2_000;

export interface ProxyAddress {
  /** The bind host as configured (`127.0.0.1`, `0.0.0.0`, `::`, `localhost`, an address). */
  host: string;
  /** The bound port. */
  port: number;
}

/** Resolves a host name to its addresses; replaceable in tests. */
export type ResolveHost = (host: string) => Promise<string[]>;

/** Throws `BACKEND_POINTS_AT_PROXY` (one per such backend URL) when a backend would call the proxy itself. */
export async function refuseBackendsPointingAtProxy(
  backends: readonly Backend[],
  proxy: ProxyAddress,
  resolveHost: ResolveHost = resolveWithTimeout,
): Promise<void> {
  const reachesProxy = await proxyReachability(proxy, resolveHost);
  const errors: LlmProxyError[] = [];
  for (const backend of backends) {
    for (const base of backend.connector.upstreamBaseUrls?.() ?? []) {
      const target = urlTarget(base.url);
      if (target === undefined || target.port !== proxy.port) continue;
      const addresses = isIP(target.host) === 0 ? await resolveHost(target.host) : [target.host];
      if (addresses.some(reachesProxy)) errors.push(pointsAtProxyError(backend.name, base, proxy));
    }
  }
  throwStartupErrors(errors);
}

function pointsAtProxyError(backendName: string, base: UpstreamBaseUrl, proxy: ProxyAddress): LlmProxyError {
  const fromVariable = /^[A-Z][A-Z0-9_]*$/.test(base.setting);
  return new LlmProxyError({
    code: 'BACKEND_POINTS_AT_PROXY',
    message: `Backend ${backendName} would send its requests to this proxy itself: its base URL ${base.url} is the proxy's own address (port ${proxy.port} on ${proxy.host})`,
    currentValue: `${base.setting} = ${base.url}`,
    fix: fromVariable
      ? `Unset ${base.setting} in the shell that starts the proxy (clients read the same variable: set it in the client's shell only), or set it to the backend's real API for the proxy`
      : `Set ${base.setting} to the backend's real API, not to the proxy`,
    details: { backend: backendName, setting: base.setting },
  });
}

/** Host (IPv6 without brackets) and port of an http(s) URL, the scheme's default port filled in. */
function urlTarget(url: string): { host: string; port: number } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return { host, port };
}

/** Whether a connection to an address on the proxy's port would land on the proxy's socket. */
async function proxyReachability(proxy: ProxyAddress, resolveHost: ResolveHost): Promise<(address: string) => boolean> {
  const bound = isIP(proxy.host) === 0 ? await resolveHost(proxy.host) : [proxy.host];
  const boundAddresses = new Set(bound.map(normalized));
  if ([...boundAddresses].some(isWildcard)) {
    const local = new Set(localInterfaceAddresses());
    return (address) => {
      const candidate = normalized(address);
      return isLoopback(candidate) || isWildcard(candidate) || local.has(candidate);
    };
  }
  const loopbackBind = [...boundAddresses].some(isLoopback);
  return (address) => {
    const candidate = normalized(address);
    // Connecting to the wildcard address reaches the loopback interface.
    return boundAddresses.has(candidate) || (loopbackBind && (isWildcard(candidate) || isLoopback(candidate)));
  };
}

function localInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => normalized(entry.address)));
}

/** Lower case, without an IPv6 zone, and IPv4-mapped IPv6 addresses as IPv4. */
function normalized(address: string): string {
  const lower = address.toLowerCase().replace(/%.*$/, '');
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

function isLoopback(address: string): boolean {
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** Every address a host name resolves to; none when it does not resolve in time (it cannot reach the proxy then either). */
async function resolveWithTimeout(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const resolved = lookup(host, { all: true }).then(
      (entries) => entries.map((entry) => entry.address),
      () => [],
    );
    return await Promise.race([resolved, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
