/**
 * @fileoverview The contract every {@link RateCounters} implementation passes: takes that fit
 * the limit, refusals that take nothing and say when to retry, corrections, windows that end,
 * and held points (window 0) that only come back when given back. A shared implementation
 * (e.g. Redis) calls {@link describeRateCountersContract} with a factory of empty counters.
 */
import { afterEach, describe, expect, it } from '@jest/globals';

import type { RateCounters } from '../../src/storage/rate-counters.js';

export function describeRateCountersContract(name: string, openEmptyCounters: () => Promise<RateCounters>): void {
  describe(`${name}: the RateCounters contract`, () => {
    const opened: RateCounters[] = [];
    const open = async (): Promise<RateCounters> => {
      const counters = await openEmptyCounters();
      opened.push(counters);
      return counters;
    };
    afterEach(async () => {
      for (const counters of opened.splice(0)) await counters.close();
    });

    it('allows takes up to the limit and refuses the next with the time until the window ends', async () => {
      const counters = await open();
      const window = { limit: 3, windowSeconds: 60 };
      for (let take = 0; take < 3; take += 1) expect(await counters.take('requests:a', 1, window)).toEqual({ allowed: true });
      const refused = await counters.take('requests:a', 1, window);
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) {
        expect(refused.retryAfterMs).toBeGreaterThan(50_000);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
      // Keys count apart.
      expect(await counters.take('requests:b', 1, window)).toEqual({ allowed: true });
    });

    it('takes nothing when it refuses, so a smaller take still fits', async () => {
      const counters = await open();
      const window = { limit: 10, windowSeconds: 60 };
      expect((await counters.take('tokens:a', 8, window)).allowed).toBe(true);
      expect((await counters.take('tokens:a', 5, window)).allowed).toBe(false);
      expect((await counters.take('tokens:a', 2, window)).allowed).toBe(true);
    });

    it('corrects a take up and down', async () => {
      const counters = await open();
      const window = { limit: 10, windowSeconds: 60 };
      expect((await counters.take('tokens:a', 5, window)).allowed).toBe(true);
      await counters.adjust('tokens:a', 5, window);
      expect((await counters.take('tokens:a', 1, window)).allowed).toBe(false);
      await counters.adjust('tokens:a', -4, window);
      expect((await counters.take('tokens:a', 4, window)).allowed).toBe(true);
    });

    it('gives the points back when the window ends', async () => {
      const counters = await open();
      const window = { limit: 1, windowSeconds: 1 };
      expect((await counters.take('requests:a', 1, window)).allowed).toBe(true);
      expect((await counters.take('requests:a', 1, window)).allowed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await counters.take('requests:a', 1, window)).allowed).toBe(true);
    });

    it('holds points of a window of 0 seconds until they are given back', async () => {
      const counters = await open();
      const window = { limit: 2, windowSeconds: 0 };
      expect((await counters.take('streams:a', 1, window)).allowed).toBe(true);
      expect((await counters.take('streams:a', 1, window)).allowed).toBe(true);
      expect((await counters.take('streams:a', 1, window)).allowed).toBe(false);
      await counters.adjust('streams:a', -1, window);
      expect((await counters.take('streams:a', 1, window)).allowed).toBe(true);
    });
  });
}
