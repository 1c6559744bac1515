/**
 * @fileoverview The {@link RateCounters} of replicas that share one Redis (`storage.redis_url`),
 * over rate-limiter-flexible's `RateLimiterRedis`: the same fixed windows as the in-memory
 * counters, kept in Redis so a limit holds whichever replica a request reaches.
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';

import { LimiterRateCounters } from './limiter-rate-counters.js';

export interface RedisRateCountersOptions {
  /** Prefix of every key, so several proxies (or tests) can share one Redis. Default `llmproxy`. */
  keyPrefix?: string;
  /** Close the connection with the counters (true when they own it). */
  ownsConnection?: boolean;
}

export class RedisRateCounters extends LimiterRateCounters {
  constructor(redis: Redis, options: RedisRateCountersOptions = {}) {
    super(
      (window, shape) =>
        new RateLimiterRedis({
          storeClient: redis,
          points: window.limit,
          duration: window.windowSeconds,
          keyPrefix: `${options.keyPrefix ?? 'llmproxy'}:counters:${shape}`,
        }),
      async () => {
        if (options.ownsConnection === true) await redis.quit().catch(() => undefined);
      },
    );
  }
}
