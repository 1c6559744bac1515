/**
 * @fileoverview The API keys of one backend, used round-robin. A key the upstream rejects
 * (401) is taken out for the life of the process; a rate-limited key (429) rests until its
 * `Retry-After` has passed.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ConnectorLogger } from '@llmproxy/connector-sdk';

/** How long a rate-limited key rests when the upstream did not say (seconds). */
export const DEFAULT_RATE_LIMIT_COOLDOWN_SECONDS = 30;

export interface ApiKeyPoolOptions {
  /** The keys in pool order, as {@link readApiKeys} returns them. */
  keys: string[];
  backendName: string;
  logger: ConnectorLogger;
  /** The clock in milliseconds; tests inject one. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * What to set when no key is configured, for the `BACKEND_CREDENTIALS_MISSING` fix, e.g.
   * `OPENAI_API_KEY (or OPENAI_API_KEY_1..N) or backends.openai.api_keys`.
   */
  missingKeyHint?: string;
}

/** A key handed out by {@link ApiKeyPool.acquire}. */
export interface AcquiredApiKey {
  key: string;
  /** The key's 1-based position in the pool; pass it back to the report methods. Safe to log. */
  index: number;
}

interface KeyState {
  key: string;
  removed: boolean;
  /** Epoch milliseconds before which the key rests. */
  coolingUntil: number;
}

export class ApiKeyPool {
  readonly backendName: string;
  readonly #keys: KeyState[];
  readonly #logger: ConnectorLogger;
  readonly #now: () => number;
  readonly #missingKeyHint: string | undefined;
  /** Position (0-based) where the next round-robin search starts. */
  #cursor = 0;

  constructor(options: ApiKeyPoolOptions) {
    this.backendName = options.backendName;
    this.#keys = options.keys.map((key) => ({ key, removed: false, coolingUntil: 0 }));
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#missingKeyHint = options.missingKeyHint;
  }

  /** How many keys were configured (removed ones included). */
  get size(): number {
    return this.#keys.length;
  }

  /** How many keys {@link acquire} could hand out right now. */
  usableCount(): number {
    const now = this.#now();
    return this.#keys.filter((state) => !state.removed && state.coolingUntil <= now).length;
  }

  /**
   * The next usable key, round-robin. Throws `BACKEND_CREDENTIALS_MISSING` (401) when no key is
   * configured, and `BACKEND_KEYS_EXHAUSTED` when none is usable: 429 with
   * `details.retryAfterSeconds` (the shortest remaining rest) while some key is resting, 401
   * when the upstream rejected every key.
   */
  acquire(): AcquiredApiKey {
    if (this.#keys.length === 0) throw this.#missingKeysError();
    const now = this.#now();
    for (let offset = 0; offset < this.#keys.length; offset += 1) {
      const position = (this.#cursor + offset) % this.#keys.length;
      const state = this.#keys[position];
      if (state === undefined || state.removed || state.coolingUntil > now) continue;
      this.#cursor = (position + 1) % this.#keys.length;
      return { key: state.key, index: position + 1 };
    }
    throw this.#exhaustedError(now);
  }

  /** The upstream answered 401 for this key: it is not used again until restart. Logged once. */
  reportUnauthorized(index: number): void {
    const state = this.#keys[index - 1];
    if (state === undefined || state.removed) return;
    state.removed = true;
    this.#logger.warn(`API key #${index} of backend ${this.backendName} was rejected (401) and is no longer used`, {
      backend: this.backendName,
      keyIndex: index,
      usableKeys: this.usableCount(),
    });
  }

  /** The upstream answered 429 for this key: it rests `retryAfterSeconds` (default 30). */
  reportRateLimited(index: number, retryAfterSeconds: number | undefined): void {
    const state = this.#keys[index - 1];
    if (state === undefined || state.removed) return;
    const seconds =
      retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0
        ? retryAfterSeconds
        : DEFAULT_RATE_LIMIT_COOLDOWN_SECONDS;
    // A later, shorter Retry-After must not cut a rest the upstream asked for earlier.
    state.coolingUntil = Math.max(state.coolingUntil, this.#now() + seconds * 1000);
    this.#logger.info(`API key #${index} of backend ${this.backendName} was rate limited (429); resting ${seconds} s`, {
      backend: this.backendName,
      keyIndex: index,
      retryAfterSeconds: seconds,
    });
  }

  #missingKeysError(): LlmProxyError {
    return new LlmProxyError({
      code: 'BACKEND_CREDENTIALS_MISSING',
      message: `Backend ${this.backendName} has no API key`,
      fix:
        this.#missingKeyHint === undefined
          ? `Configure an API key for backend ${this.backendName} and restart llm-proxy`
          : `Set ${this.#missingKeyHint} and restart llm-proxy`,
      httpStatus: 401,
      details: { backend: this.backendName },
    });
  }

  #exhaustedError(now: number): LlmProxyError {
    const resting = this.#keys.filter((state) => !state.removed);
    if (resting.length === 0) {
      return new LlmProxyError({
        code: 'BACKEND_KEYS_EXHAUSTED',
        message: `Every API key of backend ${this.backendName} was rejected by the upstream (401)`,
        currentValue: `${this.#keys.length} key(s) configured, all rejected`,
        fix: `Replace the API keys of backend ${this.backendName} with valid ones and restart llm-proxy`,
        httpStatus: 401,
        details: { backend: this.backendName },
      });
    }
    const rejected = this.#keys.length - resting.length;
    const soonest = Math.min(...resting.map((state) => state.coolingUntil));
    const retryAfterSeconds = Math.max(1, Math.ceil((soonest - now) / 1000));
    return new LlmProxyError({
      code: 'BACKEND_KEYS_EXHAUSTED',
      message: `Every API key of backend ${this.backendName} is rate limited`,
      currentValue: `${resting.length} of ${this.#keys.length} key(s) resting after 429${rejected > 0 ? `, ${rejected} rejected (401)` : ''}`,
      fix: `Retry after ${retryAfterSeconds} seconds, or add more API keys to backend ${this.backendName}`,
      httpStatus: 429,
      details: { backend: this.backendName, retryAfterSeconds },
    });
  }
}
