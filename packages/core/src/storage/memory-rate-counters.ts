/**
 * @fileoverview The in-memory {@link RateCounters} of one process, over rate-limiter-flexible's
 * `RateLimiterMemory` (fixed windows that start with a key's first point). Its Redis limiter
 * offers the same operations, which is what a shared implementation would use.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

import type { CounterVerdict, CounterWindow, RateCounters } from './rate-counters.js';

export class MemoryRateCounters implements RateCounters {
  /** One limiter per window shape: rate-limiter-flexible fixes points and duration per limiter. */
  private readonly limiters = new Map<string, RateLimiterMemory>();

  async take(key: string, points: number, window: CounterWindow): Promise<CounterVerdict> {
    const limiter = this.limiterFor(window);
    try {
      await limiter.consume(key, points);
      return { allowed: true };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // The library counts refused points too; a refused request must not use up the window.
      await limiter.reward(key, points);
      return { allowed: false, retryAfterMs: Math.max(refusal.msBeforeNext, 0) };
    }
  }

  async adjust(key: string, points: number, window: CounterWindow): Promise<void> {
    if (points === 0) return;
    const limiter = this.limiterFor(window);
    await (points > 0 ? limiter.penalty(key, points) : limiter.reward(key, -points));
  }

  async close(): Promise<void> {
    this.limiters.clear();
  }

  private limiterFor(window: CounterWindow): RateLimiterMemory {
    const shape = `${window.limit}/${window.windowSeconds}`;
    let limiter = this.limiters.get(shape);
    if (limiter === undefined) {
      limiter = new RateLimiterMemory({ points: window.limit, duration: window.windowSeconds });
      this.limiters.set(shape, limiter);
    }
    return limiter;
  }
}
