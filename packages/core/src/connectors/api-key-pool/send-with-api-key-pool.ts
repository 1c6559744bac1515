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
  /**
   * Whether a 401's error (as {@link readError} read it) says the key itself is revoked or
   * invalid, the only case that retires it; see each connector for the vendor's evidence.
   */
  keyRevoked(error: LlmProxyError): boolean;
  /** The clock for HTTP-date `Retry-After` values; defaults to `Date.now`. */
  now?: () => number;
  /** The client request being served (ChatOptions.requestId), named on the pool's log lines. */
  requestId?: string | undefined;
}

/**
 * Resolves with the first response that is neither 401 nor 429 (success or another error,
 * for the caller to handle). A 401 that says the key is revoked retires the key (for its
 * back-off); a 429 rests it for its `Retry-After`; either way the request is sent again with the
 * next usable key. When no key is left, the upstream's own error is thrown, which tells the
 * client more than "no keys left". Throws the pool's error when no key is usable to begin with.
 *
 * Any other 401 (a gateway refusing this key one model, say) leaves the key in the pool: the
 * request tries the other keys once each, and the last 401 goes to the client. So a refusal
 * about one model never takes the backend down for everyone else.
 *
 * A pool of a single key has nowhere to rotate to, so its 429 passes straight through and the
 * key does not rest: the upstream's own limits (often per model) stay the only judge, rather
 * than the proxy refusing requests the upstream might accept.
 */
export async function sendWithApiKeyPool(options: SendWithApiKeyPoolOptions): Promise<UpstreamResponse> {
  const { pool, requestId } = options;
  // Made on the first refusal only: most requests are answered by the first key.
  let tried: Set<number> | undefined;
  let acquired = pool.acquire();
  for (;;) {
    const response = await options.send(acquired.key);
    if (response.status !== 401) pool.reportAccepted(acquired.index, requestId);
    if (response.status !== 401 && response.status !== 429) return response;
    (tried ??= new Set()).add(acquired.index);
    if (response.status === 429 && pool.size === 1) return response;
    if (response.status === 429) {
      pool.reportRateLimited(acquired.index, parseRetryAfter(response.headers, (options.now ?? Date.now)()), requestId);
      if (pool.usableCount() === 0) throw await options.readError(response);
      response.discard();
      acquired = pool.acquire();
      continue;
    }
    const error = await options.readError(response);
    if (options.keyRevoked(error)) {
      pool.reportUnauthorized(acquired.index, requestId);
      if (pool.usableCount() === 0) throw error;
      acquired = pool.acquire();
      continue;
    }
    const untried = pool.usableCount() > 0 ? tryAcquire(pool, tried) : undefined;
    if (untried === undefined) throw error;
    acquired = untried;
  }
}

function tryAcquire(pool: ApiKeyPool, exclude: ReadonlySet<number>): ReturnType<ApiKeyPool['acquire']> | undefined {
  try {
    return pool.acquire(exclude);
  } catch {
    return undefined;
  }
}
