import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { ApiKeyPool } from '../../../src/connectors/api-key-pool/api-key-pool.js';
import { createRecordingLogger } from '../../support/recording-logger.js';

function makePool(keys: string[], clock = { now: 1_000_000 }) {
  const logger = createRecordingLogger();
  const pool = new ApiKeyPool({ keys, backendName: 'openai', logger, now: () => clock.now });
  return { pool, logger, clock };
}

function thrown(action: () => unknown): LlmProxyError {
  try {
    action();
  } catch (error) {
    if (LlmProxyError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an LlmProxyError');
}

describe('ApiKeyPool', () => {
  it('hands out keys round-robin with 1-based indexes', () => {
    const { pool } = makePool(['key-a', 'key-b', 'key-c']);
    const handed = Array.from({ length: 5 }, () => pool.acquire());
    expect(handed.map((acquired) => acquired.key)).toEqual(['key-a', 'key-b', 'key-c', 'key-a', 'key-b']);
    expect(handed.map((acquired) => acquired.index)).toEqual([1, 2, 3, 1, 2]);
  });

  it('retires a rejected key for its back-off and logs its index, never the key', () => {
    const { pool, logger } = makePool(['sk-secret-a', 'sk-secret-b', 'sk-secret-c']);
    pool.reportUnauthorized(2);
    pool.reportUnauthorized(2);
    const keys = Array.from({ length: 4 }, () => pool.acquire().key);
    expect(keys).toEqual(['sk-secret-a', 'sk-secret-c', 'sk-secret-a', 'sk-secret-c']);
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    expect(warnings.map((entry) => entry.message)).toEqual([
      'API key #2 of backend openai was rejected by the upstream; retired, next try at 1970-01-01T00:17:10.000Z',
    ]);
    expect(logger.text()).not.toContain('sk-secret');
    expect(pool.usableCount()).toBe(2);
  });

  it('rests a 429 key for Retry-After seconds, then uses it again', () => {
    const { pool, clock } = makePool(['key-a', 'key-b']);
    pool.reportRateLimited(1, 10);
    expect([pool.acquire().key, pool.acquire().key]).toEqual(['key-b', 'key-b']);
    clock.now += 9_999;
    expect(pool.acquire().key).toBe('key-b');
    clock.now += 1;
    expect([pool.acquire().key, pool.acquire().key].sort()).toEqual(['key-a', 'key-b']);
  });

  it('rests a 429 key for 30 seconds when the upstream gave no Retry-After', () => {
    const { pool, clock } = makePool(['key-a']);
    pool.reportRateLimited(1, undefined);
    clock.now += 29_000;
    const error = thrown(() => pool.acquire());
    expect(error.code).toBe('BACKEND_KEYS_EXHAUSTED');
    expect(error.details['retryAfterSeconds']).toBe(1);
    clock.now += 1_000;
    expect(pool.acquire().key).toBe('key-a');
  });

  it('a shorter later Retry-After does not cut an earlier, longer rest', () => {
    const { pool, clock } = makePool(['key-a', 'key-b']);
    pool.reportRateLimited(1, 60);
    pool.reportRateLimited(1, 5);
    clock.now += 10_000;
    expect([pool.acquire().key, pool.acquire().key]).toEqual(['key-b', 'key-b']);
  });

  it('all keys resting → 429 BACKEND_KEYS_EXHAUSTED with the shortest remaining rest', () => {
    const { pool, clock } = makePool(['key-a', 'key-b', 'key-c']);
    pool.reportRateLimited(1, 40);
    pool.reportRateLimited(2, 12);
    pool.reportUnauthorized(3);
    clock.now += 2_500;
    const error = thrown(() => pool.acquire());
    expect(error.code).toBe('BACKEND_KEYS_EXHAUSTED');
    expect(error.httpStatus).toBe(429);
    expect(error.details).toEqual({ backend: 'openai', retryAfterSeconds: 10 });
    expect(error.message).toContain('Every API key of backend openai is rate limited');
    expect(error.message).toContain('1 rejected (401)');
  });

  it('every key rejected → BACKEND_KEYS_EXHAUSTED 401 without a retry hint', () => {
    const { pool } = makePool(['key-a', 'key-b']);
    pool.reportUnauthorized(1);
    pool.reportUnauthorized(2);
    const error = thrown(() => pool.acquire());
    expect(error.code).toBe('BACKEND_KEYS_EXHAUSTED');
    expect(error.httpStatus).toBe(401);
    expect(error.details['retryAfterSeconds']).toBeUndefined();
    expect(error.message).not.toContain('key-a');
  });

  it('no keys → BACKEND_CREDENTIALS_MISSING naming what to set', () => {
    const pool = new ApiKeyPool({
      keys: [],
      backendName: 'openrouter',
      logger: createRecordingLogger(),
      missingKeyHint: 'OPENROUTER_API_KEY',
    });
    const error = thrown(() => pool.acquire());
    expect(error.code).toBe('BACKEND_CREDENTIALS_MISSING');
    expect(error.httpStatus).toBe(401);
    expect(error.message).toContain('Backend openrouter has no API key');
    expect(error.message).toContain('Set OPENROUTER_API_KEY');
  });

  it('tries a retired key again after a back-off that doubles per rejection up to the cap, and resets once accepted', () => {
    const logger = createRecordingLogger();
    const clock = { now: 0 };
    const pool = new ApiKeyPool({ keys: ['key-a'], backendName: 'openai', logger, now: () => clock.now, retry: { initialMs: 1_000, maxMs: 3_000 } });
    const waits: number[] = [];
    for (let rejection = 0; rejection < 4; rejection += 1) {
      pool.reportUnauthorized(1);
      expect(thrown(() => pool.acquire()).code).toBe('BACKEND_KEYS_EXHAUSTED');
      expect(pool.describe()).toEqual([`key #1: retired, next try at ${new Date(clock.now + [1_000, 2_000, 3_000, 3_000][rejection]!).toISOString()}`]);
      const before = clock.now;
      while (pool.usableCount() === 0) clock.now += 250;
      waits.push(clock.now - before);
      expect(pool.acquire().index).toBe(1);
    }
    expect(waits).toEqual([1_000, 2_000, 3_000, 3_000]);
    pool.reportAccepted(1);
    pool.reportUnauthorized(1);
    expect(pool.describe()).toEqual([`key #1: retired, next try at ${new Date(clock.now + 1_000).toISOString()}`]);
    pool.reportRateLimited(1, 5);
    clock.now += 1_000;
    expect(pool.describe()).toEqual([`key #1: resting until ${new Date(clock.now + 4_000).toISOString()}`]);
    clock.now += 4_000;
    expect(pool.describe()).toEqual(['key #1: active']);
    expect(logger.text()).not.toContain('key-a');
  });

  it('ignores reports for unknown indexes', () => {
    const { pool } = makePool(['key-a']);
    pool.reportUnauthorized(0);
    pool.reportUnauthorized(7);
    pool.reportRateLimited(9, 10);
    expect(pool.acquire()).toEqual({ key: 'key-a', index: 1 });
  });
});
