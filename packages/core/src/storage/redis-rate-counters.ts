/**
 * @fileoverview The {@link RateCounters} of replicas that share one Redis (`storage.redis_url`),
 * over rate-limiter-flexible's `RateLimiterRedis`: the same fixed windows as the in-memory
 * counters, kept in Redis so a limit holds whichever replica a request reaches.
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import type { CounterVerdict, CounterWindow, RateCounters } from './rate-counters.js';

export interface RedisRateCountersOptions {
  /** Prefix of every key, so several proxies (or tests) can share one Redis. Default `llmproxy`. */
  keyPrefix?: string;
  /** Close the connection with the counters (true when they own it). */
  ownsConnection?: boolean;
}

export class RedisRateCounters implements RateCounters {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateCountersOptions = {},
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
    if (this.options.ownsConnection === true) await this.redis.quit().catch(() => undefined);
  }

  private limiterFor(window: CounterWindow): RateLimiterRedis {
    const shape = `${window.limit}/${window.windowSeconds}`;
    let limiter = this.limiters.get(shape);
    if (limiter === undefined) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        points: window.limit,
        duration: window.windowSeconds,
        keyPrefix: `${this.options.keyPrefix ?? 'llmproxy'}:counters:${shape}`,
      });
      this.limiters.set(shape, limiter);
    }
    return limiter;
  }
}
