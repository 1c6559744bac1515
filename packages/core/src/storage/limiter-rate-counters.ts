/**
 * @fileoverview {@link RateCounters} over rate-limiter-flexible: fixed windows that start with a
 * key's first point, one limiter per window shape (the library fixes points and duration per
 * limiter). The memory and Redis counters differ only in the limiter they make.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

import type { CounterVerdict, CounterWindow, RateCounters } from './rate-counters.js';

export class LimiterRateCounters implements RateCounters {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    /** A limiter for one window shape; `shape` (`limit/seconds`) tells shapes apart in shared stores. */
    private readonly createLimiter: (window: CounterWindow, shape: string) => RateLimiterAbstract,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

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
    await this.release();
  }

  private limiterFor(window: CounterWindow): RateLimiterAbstract {
    const shape = `${window.limit}/${window.windowSeconds}`;
    let limiter = this.limiters.get(shape);
    if (limiter === undefined) {
      limiter = this.createLimiter(window, shape);
      this.limiters.set(shape, limiter);
    }
    return limiter;
  }
}
