/**
 * @fileoverview The exact secret values this process holds: the client API keys it accepts, and
 * every credential it has sent to an upstream (API keys, OAuth access and refresh tokens), as
 * the upstream HTTP client records them. The log redaction and the client-bound error text both
 * scrub them, so an upstream that echoes the credential it received cannot hand the operator's
 * key to a client or to the log.
 *
 * Recording at the one outbound client catches every connector (built-in, OAuth or third-party)
 * and every refreshed token, without each connector having to remember to register its keys.
 */
import { isSecretKeyName, MINIMUM_REDACTED_KEY_LENGTH } from './redact-secrets.js';

/**
 * More distinct secrets than any real configuration sends (a few keys per backend, an OAuth
 * token per hour): the set stays bounded even if a connector sends a fresh token per request.
 * The oldest are forgotten first.
 */
const MAXIMUM_KNOWN_SECRETS = 4096;

/** Authorization schemes whose parameter is the credential itself. */
const AUTHORIZATION_SCHEME = /^(?:Bearer|Basic|Token)\s+(\S+)$/i;

export class KnownSecrets implements Iterable<string> {
  readonly #values = new Set<string>();
  /** The values longest first, so a key that contains another key is replaced whole; rebuilt after a change. */
  #longestFirst: string[] | undefined;

  constructor(initial: Iterable<string> = []) {
    for (const value of initial) this.add(value);
  }

  /** Remembers `value`; values too short to search for safely are ignored (see MINIMUM_REDACTED_KEY_LENGTH). */
  add(value: string): void {
    const trimmed = value.trim();
    if (trimmed.length < MINIMUM_REDACTED_KEY_LENGTH || this.#values.has(trimmed)) return;
    if (this.#values.size >= MAXIMUM_KNOWN_SECRETS) {
      const oldest = this.#values.values().next();
      if (oldest.done !== true) this.#values.delete(oldest.value);
      this.#longestFirst = undefined;
    }
    this.#values.add(trimmed);
    this.#longestFirst = undefined;
  }

  /** Remembers a credential header's value, and the token alone when it carries a scheme (`Bearer …`). */
  addHeaderValue(value: string): void {
    this.add(value);
    const scheme = AUTHORIZATION_SCHEME.exec(value.trim());
    if (scheme?.[1] !== undefined) this.add(scheme[1]);
  }

  /**
   * Remembers the credentials of an outbound request: secret-named headers (Authorization,
   * x-api-key, x-goog-api-key…), `key` and secret-named query parameters, and secret-named
   * fields of a form or top-level JSON body (token refreshes send refresh tokens and client
   * secrets that way).
   */
  addRequestCredentials(request: { url: string; headers?: Readonly<Record<string, string | undefined>> | undefined; json?: unknown; body?: unknown }): void {
    const { headers } = request;
    if (headers !== undefined) {
      for (const name in headers) {
        const value = headers[name];
        if (value !== undefined && isSecretKeyName(name)) this.addHeaderValue(value);
      }
    }
    const query = request.url.indexOf('?');
    if (query !== -1) this.#addFormFields(request.url.slice(query + 1), (name) => name === 'key' || isSecretKeyName(name));
    if (typeof request.json === 'object' && request.json !== null && !Array.isArray(request.json)) {
      for (const [name, value] of Object.entries(request.json as Record<string, unknown>)) {
        if (typeof value === 'string' && isSecretKeyName(name)) this.add(value);
      }
    }
    if (typeof request.body === 'string' && request.body.includes('=') && !request.body.trimStart().startsWith('{')) {
      this.#addFormFields(request.body, isSecretKeyName);
    }
  }

  [Symbol.iterator](): Iterator<string> {
    this.#longestFirst ??= [...this.#values].sort((a, b) => b.length - a.length);
    return this.#longestFirst[Symbol.iterator]();
  }

  #addFormFields(encoded: string, isSecret: (name: string) => boolean): void {
    let fields: URLSearchParams;
    try {
      fields = new URLSearchParams(encoded);
    } catch {
      return;
    }
    for (const [name, value] of fields) if (isSecret(name)) this.add(value);
  }
}
