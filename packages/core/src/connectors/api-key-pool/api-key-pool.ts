/**
 * @fileoverview The API keys of one backend, used round-robin. A key the upstream says is
 * revoked or invalid is retired, and tried again after a back-off that doubles with each
 * further rejection (30 s, 1 min, 2 min, ... capped at 30 min by default), so a key that was
 * rotated back in, or a vendor's passing authentication outage, does not disable the backend
 * until restart. A rate-limited key (429) rests until its `Retry-After` has passed.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ConnectorLogger, CredentialCounts } from '@llmproxy/connector-sdk';

/** How long a rate-limited key rests when the upstream did not say (seconds). */
export const DEFAULT_RATE_LIMIT_COOLDOWN_SECONDS = 30;
/** How long a key the upstream rejected stays out before it is tried again, at first (ms). */
export const DEFAULT_KEY_RETRY_INITIAL_MS = 30_000;
/** The longest a rejected key stays out before it is tried again (ms). */
export const DEFAULT_KEY_RETRY_MAX_MS = 30 * 60_000;

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
  /**
   * The back-off of a rejected key: first wait and cap, in milliseconds (defaults 30 s and
   * 30 min); the wait doubles with each rejection in a row.
   */
  retry?: { initialMs: number; maxMs: number } | undefined;
}

/** A key handed out by {@link ApiKeyPool.acquire}. */
export interface AcquiredApiKey {
  key: string;
  /** The key's 1-based position in the pool; pass it back to the report methods. Safe to log. */
  index: number;
}

interface KeyState {
  key: string;
  /** Epoch milliseconds before which a rejected key is not tried again; 0 when it is not retired. */
  retiredUntil: number;
  /** Rejections since the key was last accepted: the back-off doubles with each. */
  rejections: number;
  /** Epoch milliseconds before which the key rests. */
  coolingUntil: number;
}

export class ApiKeyPool {
  readonly backendName: string;
  readonly #keys: KeyState[];
  readonly #logger: ConnectorLogger;
  readonly #now: () => number;
  readonly #missingKeyHint: string | undefined;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  /** Position (0-based) where the next round-robin search starts. */
  #cursor = 0;

  constructor(options: ApiKeyPoolOptions) {
    this.backendName = options.backendName;
    this.#keys = options.keys.map((key) => ({ key, retiredUntil: 0, rejections: 0, coolingUntil: 0 }));
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#missingKeyHint = options.missingKeyHint;
    this.#retryInitialMs = options.retry?.initialMs ?? DEFAULT_KEY_RETRY_INITIAL_MS;
    this.#retryMaxMs = Math.max(this.#retryInitialMs, options.retry?.maxMs ?? DEFAULT_KEY_RETRY_MAX_MS);
  }

  /** How many keys were configured (removed ones included). */
  get size(): number {
    return this.#keys.length;
  }

  /** How many keys {@link acquire} could hand out right now. */
  usableCount(): number {
    const now = this.#now();
    return this.#keys.filter((state) => usable(state, now)).length;
  }

  /** How many keys are active, resting (429) and retired (rejected) right now; for metrics. */
  counts(): CredentialCounts {
    const now = this.#now();
    const counts: CredentialCounts = { active: 0, resting: 0, retired: 0 };
    for (const state of this.#keys) {
      // Retired wins over resting, as describe() reports it.
      if (state.retiredUntil > now) counts.retired += 1;
      else if (state.coolingUntil > now) counts.resting += 1;
      else counts.active += 1;
    }
    return counts;
  }

  /**
   * Each key's state by number, never its value: `key #1: active`, `key #2: resting until
   * <time>`, `key #3: retired, next try at <time>`. For health details.
   */
  describe(): string[] {
    const now = this.#now();
    return this.#keys.map((state, position) => {
      const label = `key #${position + 1}`;
      if (state.retiredUntil > now) return `${label}: retired, next try at ${new Date(state.retiredUntil).toISOString()}`;
      if (state.coolingUntil > now) return `${label}: resting until ${new Date(state.coolingUntil).toISOString()}`;
      return `${label}: active`;
    });
  }

  /**
   * The next usable key, round-robin. Throws `BACKEND_CREDENTIALS_MISSING` (401) when no key is
   * configured, and `BACKEND_KEYS_EXHAUSTED` when none is usable: 429 with
   * `details.retryAfterSeconds` (the shortest remaining rest) while some key is resting, 401
   * when the upstream rejected every key. Keys in `exclude` (1-based numbers; those a request
   * already tried) are skipped.
   */
  acquire(exclude?: ReadonlySet<number>): AcquiredApiKey {
    if (this.#keys.length === 0) throw this.#missingKeysError();
    const now = this.#now();
    for (let offset = 0; offset < this.#keys.length; offset += 1) {
      const position = (this.#cursor + offset) % this.#keys.length;
      const state = this.#keys[position];
      if (state === undefined || !usable(state, now) || exclude?.has(position + 1) === true) continue;
      this.#cursor = (position + 1) % this.#keys.length;
      return { key: state.key, index: position + 1 };
    }
    throw this.#exhaustedError(now);
  }

  /**
   * The upstream said this key is revoked or invalid: it is retired until its back-off passed
   * (doubling with each rejection in a row, capped), then handed out again as a trial.
   */
  reportUnauthorized(index: number, requestId?: string): void {
    const state = this.#keys[index - 1];
    const now = this.#now();
    // Concurrent requests that used the key before it was retired report it once.
    if (state === undefined || state.retiredUntil > now) return;
    const waitMs = Math.min(this.#retryMaxMs, this.#retryInitialMs * 2 ** Math.min(state.rejections, 40));
    state.rejections += 1;
    state.retiredUntil = now + waitMs;
    this.#logger.warn(
      `API key #${index} of backend ${this.backendName} was rejected by the upstream; retired, next try at ${new Date(state.retiredUntil).toISOString()}`,
      { requestId, backend: this.backendName, keyIndex: index, retryInSeconds: Math.ceil(waitMs / 1000), usableKeys: this.usableCount() },
    );
  }

  /** The upstream accepted this key (any answer but a rejection of it): a retired key's back-off starts over. */
  reportAccepted(index: number, requestId?: string): void {
    const state = this.#keys[index - 1];
    if (state === undefined || state.rejections === 0) return;
    state.rejections = 0;
    state.retiredUntil = 0;
    this.#logger.info(`API key #${index} of backend ${this.backendName} was accepted again`, { requestId, backend: this.backendName, keyIndex: index });
  }

  /** The upstream answered 429 for this key: it rests `retryAfterSeconds` (default 30). */
  reportRateLimited(index: number, retryAfterSeconds: number | undefined, requestId?: string): void {
    const state = this.#keys[index - 1];
    if (state === undefined) return;
    const seconds =
      retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0
        ? retryAfterSeconds
        : DEFAULT_RATE_LIMIT_COOLDOWN_SECONDS;
    // A later, shorter Retry-After must not cut a rest the upstream asked for earlier.
    state.coolingUntil = Math.max(state.coolingUntil, this.#now() + seconds * 1000);
    this.#logger.info(`API key #${index} of backend ${this.backendName} was rate limited (429); resting ${seconds} s`, {
      requestId,
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
    const resting = this.#keys.filter((state) => state.retiredUntil <= now);
    if (resting.length === 0) {
      const nextTry = new Date(Math.min(...this.#keys.map((state) => state.retiredUntil))).toISOString();
      return new LlmProxyError({
        code: 'BACKEND_KEYS_EXHAUSTED',
        message: `Every API key of backend ${this.backendName} was rejected by the upstream (401)`,
        currentValue: `${this.#keys.length} key(s) configured, all retired; the next is tried again at ${nextTry}`,
        fix: `Replace the API keys of backend ${this.backendName} with valid ones and restart llm-proxy, or wait for the retry`,
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

function usable(state: KeyState, now: number): boolean {
  return state.retiredUntil <= now && state.coolingUntil <= now;
}
