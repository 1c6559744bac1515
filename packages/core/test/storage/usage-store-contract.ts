/**
 * @fileoverview The contract every {@link UsageStore} implementation passes: atomic batches,
 * totals by caller, model and day over a range, cost sums that leave unknown costs out, and
 * spending since a time. A new implementation (e.g. PostgreSQL) calls
 * {@link describeUsageStoreContract} with a factory of empty stores.
 */
import { afterEach, describe, expect, it } from '@jest/globals';

import type { UsageRecord, UsageStore } from '../../src/storage/usage-store.js';

const DAY = 86_400_000;
const MARCH_1 = Date.UTC(2026, 2, 1, 10, 0, 0);

export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: 'request-1',
    startedAt: MARCH_1,
    caller: 'api-key#1',
    frontend: 'openai-chat',
    backend: 'openai',
    model: 'gpt-4o',
    status: 200,
    errorCode: null,
    inputTokens: 100,
    outputTokens: 20,
    cachedInputTokens: 10,
    reasoningTokens: 5,
    latencyMs: 123.456,
    ttfbMs: 45.6,
    costUsd: 0.5,
    ...overrides,
  };
}

export function describeUsageStoreContract(name: string, openEmptyStore: () => Promise<UsageStore>): void {
  describe(`${name}: the UsageStore contract`, () => {
    const opened: UsageStore[] = [];
    const open = async (): Promise<UsageStore> => {
      const store = await openEmptyStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('totals appended records by caller, with failed requests and requests with tokens but no price counted apart', async () => {
      const store = await open();
      await store.append([
        usageRecord(),
        usageRecord({ requestId: 'request-2', costUsd: null }),
        usageRecord({ requestId: 'request-3', caller: 'sso:alice', status: 429, errorCode: 'CALLER_RATE_LIMITED', inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null, costUsd: null }),
      ]);
      expect(await store.totals({}, 'caller')).toEqual([
        { key: 'api-key#1', requests: 2, failedRequests: 0, inputTokens: 200, outputTokens: 40, cachedInputTokens: 20, reasoningTokens: 10, costUsd: 0.5, unpricedRequests: 1 },
        { key: 'sso:alice', requests: 1, failedRequests: 1, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costUsd: 0, unpricedRequests: 0 },
      ]);
    });

    it('groups by backend:model and by UTC day, and filters by range and caller', async () => {
      const store = await open();
      await store.append([
        usageRecord(),
        usageRecord({ requestId: 'b', model: 'gpt-4o-mini', startedAt: MARCH_1 + DAY }),
        usageRecord({ requestId: 'c', backend: 'anthropic', model: 'claude', startedAt: MARCH_1 + 2 * DAY, caller: 'sso:alice' }),
      ]);
      expect((await store.totals({}, 'model')).map((row) => [row.key, row.requests])).toEqual([
        ['anthropic:claude', 1],
        ['openai:gpt-4o', 1],
        ['openai:gpt-4o-mini', 1],
      ]);
      expect((await store.totals({}, 'day')).map((row) => row.key)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
      expect((await store.totals({ from: MARCH_1 + DAY, to: MARCH_1 + 2 * DAY }, 'day')).map((row) => row.key)).toEqual(['2026-03-02']);
      expect((await store.totals({ caller: 'sso:alice' }, 'caller')).map((row) => row.key)).toEqual(['sso:alice']);
    });

    it('sums a caller\'s cost since a time', async () => {
      const store = await open();
      await store.append([usageRecord({ costUsd: 1.25 }), usageRecord({ requestId: 'b', costUsd: 2, startedAt: MARCH_1 + DAY }), usageRecord({ requestId: 'c', costUsd: null, startedAt: MARCH_1 + DAY })]);
      expect(await store.costSince('api-key#1', MARCH_1)).toBeCloseTo(3.25, 10);
      expect(await store.costSince('api-key#1', MARCH_1 + 1)).toBeCloseTo(2, 10);
      expect(await store.costSince('nobody', 0)).toBe(0);
    });

    it('keeps every field of a record', async () => {
      const store = await open();
      await store.append([usageRecord({ backend: null, model: null, ttfbMs: null })]);
      expect(await store.totals({}, 'model')).toEqual([expect.objectContaining({ key: ':', requests: 1, inputTokens: 100 })]);
    });

    it('appends nothing of a batch that fails', async () => {
      const store = await open();
      // A caller is required (NOT NULL in every store): the whole batch must be refused.
      const broken = { ...usageRecord({ requestId: 'b' }), caller: null } as unknown as UsageRecord;
      // Asserted as a rejection: a native driver's error may come from another realm than the test's.
      await expect(store.append([usageRecord(), broken]).then(() => 'appended', () => 'refused')).resolves.toBe('refused');
      expect(await store.totals({}, 'caller')).toEqual([]);
    });
  });
}
