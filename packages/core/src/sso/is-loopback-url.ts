/**
 * @fileoverview Which URLs point at this machine. openid-client refuses plain-http issuers;
 * the proxy allows them only for these, so development and tests can run an identity provider
 * on 127.0.0.1 while a real deployment cannot be talked into trusting an unencrypted one.
 */

/** True for `localhost`, any 127.0.0.0/8 address and `[::1]`. */
export function isLoopbackUrl(url: URL): boolean {
  const hostname = url.hostname.toLowerCase();
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
