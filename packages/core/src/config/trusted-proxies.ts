/**
 * @fileoverview `server.trust_proxy`: the reverse proxies whose `X-Forwarded-For` names the
 * client. Entries are IP addresses or CIDR ranges (IPv4 or IPv6); anything else is refused at
 * startup, so a typo cannot silently trust (or fail to trust) a proxy.
 */
import { isIP } from 'node:net';

/** What an entry may be, in words, for error messages and the schema. */
export const TRUSTED_PROXY_ALLOWED = 'IP addresses or CIDR ranges such as 127.0.0.1, 10.0.0.0/8 or fd00::/8';

/** A loose shape for the YAML schema; {@link isTrustedProxyEntry} is the exact check. */
export const TRUSTED_PROXY_PATTERN = '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$';

/** True for an IPv4 or IPv6 address, optionally with a prefix length its family allows. */
export function isTrustedProxyEntry(text: string): boolean {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A comma-separated list of entries, or undefined when one is not an address or range. */
export function parseTrustedProxies(text: string): string[] | undefined {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.every(isTrustedProxyEntry) ? entries : undefined;
}
