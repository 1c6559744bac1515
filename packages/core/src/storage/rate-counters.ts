/**
 * @fileoverview The storage interface of rate counters (requests and tokens per window, streams
 * at once). The in-memory implementation serves one process; a shared one (Redis) implements the
 * same interface so a limit holds across replicas. `test/storage/rate-counters-contract.ts` is
 * the suite every implementation passes.
 */

export interface CounterWindow {
  /** The most points the key may hold within one window. */
  limit: number;
  /** The window in seconds; 0 means points never expire and are only given back. */
  windowSeconds: number;
}

export type CounterVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateCounters {
  /**
   * Adds `points` to `key` when they fit under the limit; a refused take adds nothing.
   * Keys of one window shape share one counter family: pass the same window for the same key.
   */
  take(key: string, points: number, window: CounterWindow): Promise<CounterVerdict>;
  /** Adds (positive) or gives back (negative) points without a check: the correction of an estimate. */
  adjust(key: string, points: number, window: CounterWindow): Promise<void>;
  close(): Promise<void>;
}
