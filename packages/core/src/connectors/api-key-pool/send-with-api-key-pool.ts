/**
 * @fileoverview Sends one upstream request with a key from the pool, moving on to the next key
 * when the upstream rejects (401) or rate-limits (429) the one used. It runs before any answer
 * reaches the client, so a retry is invisible to it.
 */
import type { LlmProxyError, UpstreamResponse } from '@llmproxy/connector-sdk';
import type { ApiKeyPool } from './api-key-pool.js';
import { parseRetryAfter } from './parse-retry-after.js';

export interface SendWithApiKeyPoolOptions {
  pool: ApiKeyPool;
  /** Sends the request with this key; called again with another key after a 401 or 429. */
  send(key: string): Promise<UpstreamResponse>;
  /** Reads an error response (its body) into the error the client should see. */
  readError(response: UpstreamResponse): Promise<LlmProxyError>;
  /** The clock for HTTP-date `Retry-After` values; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Resolves with the first response that is neither 401 nor 429 (success or another error,
 * for the caller to handle). A 401 takes the key out of the pool, a 429 rests it for its
 * `Retry-After`; either way the request is sent again with the next usable key. When no key is
 * left, the upstream's own error is thrown, which tells the client more than "no keys left".
 * Each attempt retires or rests one key, so there are at most as many attempts as keys.
 * Throws the pool's error when no key is usable to begin with.
 *
 * A pool of a single key has nowhere to rotate to, so its 429 passes straight through and the
 * key does not rest: the upstream's own limits (often per model) stay the only judge, rather
 * than the proxy refusing requests the upstream might accept.
 */
export async function sendWithApiKeyPool(options: SendWithApiKeyPoolOptions): Promise<UpstreamResponse> {
  const { pool } = options;
  let acquired = pool.acquire();
  for (;;) {
    const response = await options.send(acquired.key);
    if (response.status !== 401 && response.status !== 429) return response;
    if (response.status === 429 && pool.size === 1) return response;
    if (response.status === 401) pool.reportUnauthorized(acquired.index);
    else pool.reportRateLimited(acquired.index, parseRetryAfter(response.headers, (options.now ?? Date.now)()));
    if (pool.usableCount() === 0) throw await options.readError(response);
    response.discard();
    acquired = pool.acquire();
  }
}
