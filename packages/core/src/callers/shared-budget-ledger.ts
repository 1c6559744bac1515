/**
 * @fileoverview The budgets' running totals shared by replicas, in Redis: one key per caller and
 * budget period, started from the usage records (written by every replica) the first time any
 * replica needs it, then added to by whichever replica finishes a priced request. A replica
 * therefore sees what the others spent at once, not only after its own next read.
 *
 * Adding only counts into a total that exists: a total is always started from the records, so
 * a cost added before that would be counted twice (once in the records, once added).
 */
import type { BudgetPeriod } from '../config/proxy-settings.js';
import type { UsageStore } from '../storage/usage-store.js';
import type { BudgetTotals, UnwrittenCosts } from './budget-ledger.js';
import { periodEnd, periodStart } from './budget-periods.js';

/** The few Redis commands the ledger uses (ioredis's client has them). */
export interface BudgetTotalsRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, expiry: 'PXAT', at: number, condition: 'NX'): Promise<unknown>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** INCRBYFLOAT only when the total exists (see the file comment). */
const ADD_IF_STARTED = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBYFLOAT', KEYS[1], ARGV[1]) end return false";

/** Kept a day past the period's end, so a slow clock on one replica still finds it. */
const KEEP_AFTER_PERIOD_MS = 86_400_000;

export class SharedBudgetLedger implements BudgetTotals {
  constructor(
    private readonly redis: BudgetTotalsRedis,
    private readonly store: UsageStore,
    private readonly unwritten: UnwrittenCosts,
    private readonly keyPrefix = 'llmproxy',
  ) {}

  /** What `caller` spent in the `period` that `now` falls in, in US dollars, across replicas. */
  async spent(caller: string, period: BudgetPeriod, now: number): Promise<number> {
    const start = periodStart(period, now);
    const key = this.keyOf(caller, period, start);
    const total = await this.redis.get(key);
    if (total !== null) return Number(total);
    const fromRecords = (await this.store.costSince(caller, start)) + this.unwritten.unwrittenCost(caller, start);
    // Another replica may have started it meanwhile: its total wins, so nothing is counted twice.
    await this.redis.set(key, String(fromRecords), 'PXAT', periodEnd(period, now) + KEEP_AFTER_PERIOD_MS, 'NX');
    return Number((await this.redis.get(key)) ?? fromRecords);
  }

  /** Adds a finished request's cost to the caller's started totals (the call is not awaited by the route). */
  add(caller: string, startedAt: number, cost: number): void {
    for (const period of ['day', 'month'] as const) {
      const key = this.keyOf(caller, period, periodStart(period, startedAt));
      this.redis.eval(ADD_IF_STARTED, 1, key, cost).catch(() => undefined);
    }
  }

  private keyOf(caller: string, period: BudgetPeriod, start: number): string {
    return `${this.keyPrefix}:budget:${period}:${start}:${caller}`;
  }
}
