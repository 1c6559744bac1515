/**
 * @fileoverview The failed-authentication limiter's counts in the shared Redis, so a client that
 * guesses keys is limited across replicas, not once per replica: express-rate-limit's store
 * interface over rate-limit-redis.
 */
import type { Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';

export function createRedisFailedAttemptStore(redis: Redis, keyPrefix = 'llmproxy'): Store {
  return new RedisStore({
    prefix: `${keyPrefix}:failed-auth:`,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
  });
}
