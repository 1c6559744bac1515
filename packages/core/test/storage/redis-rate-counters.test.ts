/**
 * @fileoverview The Redis rate counters against the RateCounters contract, on a private Redis
 * server started for this file, plus what sharing means: two processes' counters (two
 * connections) hold one limit, and an unreachable server is named without its password.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { openRedisConnection } from '../../src/storage/redis-connection.js';
import { RedisRateCounters } from '../../src/storage/redis-rate-counters.js';
import {
  describeWhenAvailable,
  redisAvailability,
  startThrowawayRedis,
  type ThrowawayServer,
} from '../support/throwaway-servers.js';
import { findFreePort } from '../support/run-llm-proxy.js';
import { describeRateCountersContract } from './rate-counters-contract.js';

let server: ThrowawayServer;
let prefixes = 0;

describeWhenAvailable(redisAvailability(), describe)('Redis rate counters', () => {
  beforeAll(async () => {
    server = await startThrowawayRedis();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  describeRateCountersContract('Redis', async () =>
    new RedisRateCounters(await openRedisConnection(server.url), { keyPrefix: `contract-${(prefixes += 1)}`, ownsConnection: true }),
  );

  it('holds one limit across two connections, as two replicas share it', async () => {
    const first = new RedisRateCounters(await openRedisConnection(server.url), { keyPrefix: 'shared', ownsConnection: true });
    const second = new RedisRateCounters(await openRedisConnection(server.url), { keyPrefix: 'shared', ownsConnection: true });
    try {
      const window = { limit: 3, windowSeconds: 60 };
      const verdicts = [];
      for (let take = 0; take < 4; take += 1) verdicts.push(await (take % 2 === 0 ? first : second).take('requests:alice', 1, window));
      expect(verdicts.map((verdict) => verdict.allowed)).toEqual([true, true, true, false]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('names the host of an unreachable server, never the password', async () => {
    const port = await findFreePort();
    const attempt = openRedisConnection(`redis://:hunter2-secret@127.0.0.1:${port}`);
    await expect(attempt).rejects.toMatchObject({
      code: 'STORAGE_REDIS_UNAVAILABLE',
      summary: `The Redis server at 127.0.0.1:${port} cannot be used`,
      fix: expect.stringContaining('storage.redis_url'),
    });
    const error = (await attempt.catch((caught: unknown) => caught)) as Error;
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('hunter2-secret');
  });
});
