/**
 * @fileoverview Each caller's spending in its current budget periods, kept in memory so a
 * budget check costs no database read: read once per caller and period from the usage store
 * (plus records still queued), then added to as requests finish.
 */
import type { BudgetPeriod } from '../config/proxy-settings.js';
import type { UsageStore } from '../storage/usage-store.js';
import { periodStart } from './budget-periods.js';

export interface UnwrittenCosts {
  unwrittenCost(caller: string, since: number): number;
}

/** The budgets' running totals: this process's (BudgetLedger) or shared by replicas (SharedBudgetLedger). */
export interface BudgetTotals {
  /** What `caller` spent in the `period` that `now` falls in, in US dollars. */
  spent(caller: string, period: BudgetPeriod, now: number): Promise<number>;
  /** Adds a finished request's cost. */
  add(caller: string, startedAt: number, cost: number): void;
}

export class BudgetLedger implements BudgetTotals {
  /** `caller \0 period` → the running total of its current period. */
  private readonly totals = new Map<string, { start: number; spent: Promise<number> }>();

  constructor(
    private readonly store: UsageStore,
    private readonly unwritten: UnwrittenCosts,
  ) {}

  /** What `caller` spent in the `period` that `now` falls in, in US dollars. */
  spent(caller: string, period: BudgetPeriod, now: number): Promise<number> {
    return this.entryFor(caller, period, now).spent;
  }

  /** Adds a finished request's cost to the caller's periods already being tracked. */
  add(caller: string, startedAt: number, cost: number): void {
    for (const period of ['day', 'month'] as const) {
      const entry = this.totals.get(`${caller}\u0000${period}`);
      if (entry !== undefined && startedAt >= entry.start) entry.spent = entry.spent.then((spent) => spent + cost);
    }
  }

  private entryFor(caller: string, period: BudgetPeriod, now: number): { start: number; spent: Promise<number> } {
    const key = `${caller}\u0000${period}`;
    const start = periodStart(period, now);
    let entry = this.totals.get(key);
    if (entry === undefined || entry.start !== start) {
      // Queued records are counted here, and records written later are added by add() only
      // for periods already tracked, so no record is counted twice.
      const unwritten = this.unwritten.unwrittenCost(caller, start);
      entry = { start, spent: this.store.costSince(caller, start).then((written) => written + unwritten) };
      this.totals.set(key, entry);
    }
    return entry;
  }
}
