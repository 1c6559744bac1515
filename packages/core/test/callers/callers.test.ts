/**
 * @fileoverview Caller policies (merge order, globs), prices (operator first, bundled table for
 * known vendors, null otherwise), admission (models, limits, budgets), the usage recorder
 * (batches, flush on close, retry after a failed write) and the budget ledger, over the real
 * in-memory counters and a real SQLite store in a temporary directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { calcPrice } from '@pydantic/genai-prices';
import type { Usage } from '@llmproxy/connector-sdk';

import { Admission } from '../../src/callers/admission.js';
import { BudgetLedger } from '../../src/callers/budget-ledger.js';
import { periodEnd, periodStart } from '../../src/callers/budget-periods.js';
import { CallerPolicies } from '../../src/callers/caller-policies.js';
import { loadBundledPrices, PriceTable } from '../../src/callers/price-table.js';
import { FLUSH_BATCH_SIZE, UsageRecorder } from '../../src/callers/usage-recorder.js';
import { parseUsageQuery } from '../../src/callers/usage-query.js';
import { MemoryRateCounters } from '../../src/storage/memory-rate-counters.js';
import { openSqliteUsageStore } from '../../src/storage/sqlite-usage-store.js';
import type { UsageRecord, UsageStore } from '../../src/storage/usage-store.js';
import { createRecordingLogger } from '../support/recording-logger.js';
import { usageRecord } from '../storage/usage-store-contract.js';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-callers-'));
let files = 0;
const openStore = (): UsageStore => openSqliteUsageStore({ file: path.join(directory, `usage-${(files += 1)}.sqlite`) });
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

const policies = new CallerPolicies({
  defaults: { models: ['openai:*'], limits: { requestsPerMinute: 10, concurrentStreams: 1 } },
  byGroup: { research: { models: ['openai:*', 'anthropic:*'], limits: { tokensPerMinute: 100 } } },
  byId: { 'sso:alice': { name: 'Alice', limits: { requestsPerMinute: 2 } }, 'api-key#2': { models: [] } },
});

describe('caller policies', () => {
  it('merges defaults, then groups, then the caller, limits field by field', () => {
    const alice = policies.policyFor('sso:alice', ['research']);
    expect(alice.name).toBe('Alice');
    expect(alice.limits).toEqual({ requestsPerMinute: 2, concurrentStreams: 1, tokensPerMinute: 100 });
    expect(alice.allowsModel('anthropic:claude-sonnet-4')).toBe(true);
    expect(policies.policyFor('sso:alice').allowsModel('anthropic:claude-sonnet-4')).toBe(false);
    expect(policies.policyFor('sso:bob').name).toBe('sso:bob');
  });

  it('matches globs across "/" in model names, and an empty list allows nothing', () => {
    expect(policies.policyFor('sso:bob').allowsModel('openai:org/model')).toBe(true);
    expect(policies.policyFor('api-key#2').allowsModel('openai:gpt-4o')).toBe(false);
    expect(new CallerPolicies({ defaults: {}, byGroup: {}, byId: {} }).policyFor('x').allowsModel('any:thing')).toBe(true);
  });
});

describe('the price table', () => {
  const usage = { inputTokens: 1_000, outputTokens: 500, cachedInputTokens: 200 };
  const prices = new PriceTable({ 'local:llama3': { inputUsdPerMtok: 1, outputUsdPerMtok: 2, cachedInputUsdPerMtok: 0.5 } }, calcPrice);

  it('uses the operator price first, cached tokens at the cached price', () => {
    expect(prices.costOf({ backend: 'local', connectorId: 'openai-compatible', model: 'llama3' }, usage)).toBeCloseTo((800 * 1 + 200 * 0.5 + 500 * 2) / 1e6, 12);
  });

  it('uses the bundled table for a vendor it knows', () => {
    const expected = calcPrice({ input_tokens: 1_000, output_tokens: 500, cache_read_tokens: 200 }, 'gpt-4o', { providerId: 'openai' })?.total_price;
    expect(expected).toBeGreaterThan(0);
    expect(prices.costOf({ backend: 'openai', connectorId: 'openai', model: 'gpt-4o' }, usage)).toBe(expected);
  });

  it('gives the bundled table\'s own total on every lookup, remembered or not, tiered prices included', () => {
    const table = new PriceTable({}, calcPrice);
    const cases = [
      { connectorId: 'openai', providerId: 'openai', model: 'gpt-4o' },
      { connectorId: 'anthropic', providerId: 'anthropic', model: 'claude-sonnet-4-20250514' },
      // Tiered: the price per token changes above 200,000 input tokens.
      { connectorId: 'gemini', providerId: 'google', model: 'gemini-2.5-pro' },
      { connectorId: 'anthropic', providerId: 'anthropic', model: 'claude-sonnet-4-5' },
    ];
    const usages: Usage[] = [usage, { inputTokens: 5, outputTokens: 1 }, { inputTokens: 250_000, outputTokens: 9_000, cachedInputTokens: 100_000 }, usage];
    for (const { connectorId, providerId, model } of cases) {
      for (const each of usages) {
        const expected = calcPrice(
          { input_tokens: each.inputTokens, output_tokens: each.outputTokens, ...(each.cachedInputTokens === undefined ? {} : { cache_read_tokens: each.cachedInputTokens }) },
          model,
          { providerId },
        )?.total_price;
        expect(table.costOf({ backend: connectorId, connectorId, model }, each)).toBeCloseTo(expected ?? Number.NaN, 12);
      }
    }
  });

  it('asks the bundled table once for a tiered model below its first tier, and again for a request above it', () => {
    let lookups = 0;
    const counted: typeof calcPrice = (...args) => {
      lookups += 1;
      return calcPrice(...args);
    };
    const table = new PriceTable({}, counted);
    const claude = { backend: 'anthropic', connectorId: 'anthropic', model: 'claude-sonnet-4-5' };
    for (const each of [usage, { inputTokens: 14, outputTokens: 7 }, usage]) {
      const expected = calcPrice({ input_tokens: each.inputTokens, output_tokens: each.outputTokens }, claude.model, { providerId: 'anthropic' })?.total_price;
      expect(table.costOf(claude, { inputTokens: each.inputTokens, outputTokens: each.outputTokens })).toBeCloseTo(expected ?? Number.NaN, 12);
    }
    expect(lookups).toBe(1);
    const large = { inputTokens: 250_000, outputTokens: 1_000 };
    const expected = calcPrice({ input_tokens: large.inputTokens, output_tokens: large.outputTokens }, claude.model, { providerId: 'anthropic' })?.total_price;
    expect(table.costOf(claude, large)).toBeCloseTo(expected ?? Number.NaN, 12);
    expect(lookups).toBe(2);
  });

  it('loads the bundled table the proxy uses (the package\'s CommonJS build), which prices as the package does', async () => {
    const table = new PriceTable({}, await loadBundledPrices());
    const expected = calcPrice({ input_tokens: usage.inputTokens, output_tokens: usage.outputTokens }, 'gpt-4o-mini', { providerId: 'openai' })?.total_price;
    expect(expected).toBeGreaterThan(0);
    expect(table.costOf({ backend: 'openai', connectorId: 'openai', model: 'gpt-4o-mini' }, { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens })).toBeCloseTo(expected ?? Number.NaN, 12);
  });

  it('never guesses: an unknown model, or a connector the table has no vendor for, costs null', () => {
    expect(prices.costOf({ backend: 'openai', connectorId: 'openai', model: 'no-such-model' }, usage)).toBeNull();
    // Remembered as unknown, still null.
    expect(prices.costOf({ backend: 'openai', connectorId: 'openai', model: 'no-such-model' }, usage)).toBeNull();
    expect(prices.costOf({ backend: 'local', connectorId: 'openai-compatible', model: 'gpt-4o' }, usage)).toBeNull();
  });
});

describe('admission', () => {
  const request = (callerId: string, model = 'gpt-4o') => ({
    policy: policies.policyFor(callerId),
    backend: 'openai',
    model,
    estimateInputTokens: () => 10,
    budgetStatus: 429 as const,
  });

  it('refuses a model outside the patterns, naming them', async () => {
    const admission = new Admission(new MemoryRateCounters(), undefined);
    await expect(admission.admit({ ...request('sso:bob'), backend: 'anthropic' })).rejects.toMatchObject({
      code: 'CALLER_MODEL_NOT_ALLOWED',
      httpStatus: 403,
      message: expect.stringContaining('allowed models: openai:*'),
    });
  });

  it('holds a concurrency slot until the ticket is finished, and a refusal takes no request', async () => {
    const admission = new Admission(new MemoryRateCounters(), undefined);
    const first = await admission.admit(request('sso:alice'));
    await expect(admission.admit(request('sso:alice'))).rejects.toMatchObject({ code: 'CALLER_RATE_LIMITED', message: expect.stringContaining('1 concurrent requests') });
    first.finish(undefined);
    // The refused request did not use one of Alice's 2 requests per minute.
    (await admission.admit(request('sso:alice'))).finish(undefined);
    await expect(admission.admit(request('sso:alice'))).rejects.toMatchObject({ code: 'CALLER_RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
  });

  it('corrects the token estimate with the real usage', async () => {
    const counters = new MemoryRateCounters();
    const admission = new Admission(counters, undefined);
    const research = { ...request('sso:dave'), policy: policies.policyFor('sso:dave', ['research']) };
    const big = await admission.admit(research);
    big.finish({ inputTokens: 60, outputTokens: 35 });
    await new Promise((resolve) => setImmediate(resolve));
    // 95 of 100 tokens used: an estimate of 10 no longer fits.
    await expect(admission.admit(research)).rejects.toMatchObject({ message: expect.stringContaining('100 tokens per minute') });
  });

  it('refuses a spent budget with the status given, naming the budget and its reset', async () => {
    const store = openStore();
    const now = Date.UTC(2026, 2, 15, 12);
    await store.append([usageRecord({ caller: 'sso:erin', startedAt: now - 1_000, costUsd: 4 }), usageRecord({ caller: 'sso:erin', startedAt: Date.UTC(2026, 1, 1), costUsd: 100 })]);
    const recorder = new UsageRecorder(store, createRecordingLogger());
    const ledger = new BudgetLedger(store, recorder);
    const budgeted = new CallerPolicies({ defaults: { budgets: [{ usd: 5, period: 'month' }] }, byGroup: {}, byId: {} });
    const admission = new Admission(new MemoryRateCounters(), ledger, () => now);
    const admit = () => admission.admit({ policy: budgeted.policyFor('sso:erin'), backend: 'openai', model: 'm', estimateInputTokens: () => 1, budgetStatus: 402 });
    (await admit()).finish(undefined);
    ledger.add('sso:erin', now, 1.5);
    await expect(admit()).rejects.toMatchObject({
      code: 'CALLER_BUDGET_EXCEEDED',
      httpStatus: 402,
      message: expect.stringContaining('$5.5000 of its $5 per month budget; it resets at 2026-04-01T00:00:00.000Z'),
    });
    await recorder.close();
  });
});

describe('the usage recorder', () => {
  it('writes in batches off the caller\'s path and everything on close', async () => {
    const store = openStore();
    const written: number[] = [];
    const counting: UsageStore = {
      append: async (records) => {
        written.push(records.length);
        await store.append(records);
      },
      totals: (query, groupBy) => store.totals(query, groupBy),
      costSince: (caller, since) => store.costSince(caller, since),
      close: () => store.close(),
    };
    const recorder = new UsageRecorder(counting, createRecordingLogger());
    for (let index = 0; index < FLUSH_BATCH_SIZE + 3; index += 1) recorder.record(usageRecord({ requestId: `r${index}` }));
    // record() only queued: nothing was written on the caller's path.
    expect(written).toEqual([]);
    // A full batch is written on the next turn of the event loop, in one append.
    await new Promise((resolve) => setImmediate(resolve));
    await recorder.flush();
    expect(written).toEqual([FLUSH_BATCH_SIZE + 3]);
    recorder.record(usageRecord({ requestId: 'last' }));
    const totals = await (async () => {
      await recorder.close();
      const reopened = openSqliteUsageStore({ file: path.join(directory, `usage-${files}.sqlite`), mustExist: true });
      const result = await reopened.totals({}, 'caller');
      await reopened.close();
      return result;
    })();
    expect(totals[0]?.requests).toBe(FLUSH_BATCH_SIZE + 4);
  });

  it('keeps records queued when a write fails and writes them with the next flush', async () => {
    const store = openStore();
    let failures = 1;
    const flaky: UsageStore = {
      append: async (records: readonly UsageRecord[]) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('disk full');
        }
        await store.append(records);
      },
      totals: (query, groupBy) => store.totals(query, groupBy),
      costSince: (caller, since) => store.costSince(caller, since),
      close: async () => undefined,
    };
    const logger = createRecordingLogger();
    const recorder = new UsageRecorder(flaky, logger);
    recorder.record(usageRecord({ costUsd: 2 }));
    await recorder.flush();
    expect(logger.entries.map((entry) => entry.message)).toContain('Writing usage records failed; they stay queued for the next attempt');
    expect(recorder.unwrittenCost('api-key#1', 0)).toBe(2);
    await recorder.close();
    expect((await store.totals({}, 'caller'))[0]?.requests).toBe(1);
    await store.close();
  });
});

describe('budget periods and usage queries', () => {
  it('starts and ends days and months in UTC', () => {
    const time = Date.UTC(2026, 11, 31, 23, 59);
    expect(new Date(periodStart('day', time)).toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(new Date(periodEnd('day', time)).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(new Date(periodStart('month', time)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(periodEnd('month', time)).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('reads days (to includes its day) and ISO times, and refuses anything else', () => {
    expect(parseUsageQuery({ from: '2026-03-01', to: '2026-03-01' }).query).toEqual({ from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 2, 2) });
    expect(parseUsageQuery({ to: '2026-03-01T12:00:00Z' }).query).toEqual({ to: Date.UTC(2026, 2, 1, 12) });
    expect(() => parseUsageQuery({ from: 'yesterday' })).toThrow(expect.objectContaining({ code: 'USAGE_QUERY_INVALID' }));
    expect(() => parseUsageQuery({ groupBy: 'week' })).toThrow(expect.objectContaining({ code: 'USAGE_QUERY_INVALID' }));
    expect(() => parseUsageQuery({ from: '2026-03-02', to: '2026-03-01' })).toThrow(expect.objectContaining({ code: 'USAGE_QUERY_INVALID' }));
  });
});
