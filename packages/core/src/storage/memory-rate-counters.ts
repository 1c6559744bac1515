/**
 * @fileoverview The in-memory {@link RateCounters} of one process, over rate-limiter-flexible's
 * `RateLimiterMemory`.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';

import { LimiterRateCounters } from './limiter-rate-counters.js';

export class MemoryRateCounters extends LimiterRateCounters {
  constructor() {
    super((window) => new RateLimiterMemory({ points: window.limit, duration: window.windowSeconds }));
  }
}
