/**
 * @fileoverview What the server keeps per caller: their policies (models, limits, budgets), the
 * admission check, the price table, the usage recorder and the budget ledger. Built once at
 * startup from the settings and the stores; `close()` writes the queued usage records and closes
 * the stores, after the server drained.
 */
import { Admission } from '../callers/admission.js';
import { BudgetLedger, type BudgetTotals } from '../callers/budget-ledger.js';
import { SharedBudgetLedger, type BudgetTotalsRedis } from '../callers/shared-budget-ledger.js';
import { CallerPolicies } from '../callers/caller-policies.js';
import { loadBundledPrices, PriceTable } from '../callers/price-table.js';
import { UsageRecorder } from '../callers/usage-recorder.js';
import type { ProxySettings } from '../config/proxy-settings.js';
import type { AppLogger } from '../logging/app-logger.js';
import { MemoryRateCounters } from '../storage/memory-rate-counters.js';
import type { RateCounters } from '../storage/rate-counters.js';
import type { UsageStore } from '../storage/usage-store.js';

export interface CallerAccounting {
  policies: CallerPolicies;
  admission: Admission;
  prices: PriceTable;
  /** Undefined with usage recording off. */
  recorder: UsageRecorder | undefined;
  ledger: BudgetTotals | undefined;
  /** The usage store, for `/admin/usage` and the SSO pages; undefined with usage off. */
  usageStore: UsageStore | undefined;
  close(): Promise<void>;
}

export async function createCallerAccounting(options: {
  settings: Readonly<ProxySettings>;
  logger: AppLogger;
  /** Undefined with usage recording off. */
  usageStore: UsageStore | undefined;
  counters?: RateCounters;
  /** The shared Redis, for budgets' running totals across replicas; undefined keeps them in memory. */
  budgetRedis?: BudgetTotalsRedis | undefined;
}): Promise<CallerAccounting> {
  const { settings, logger, usageStore } = options;
  const counters = options.counters ?? new MemoryRateCounters();
  const recorder = usageStore === undefined ? undefined : new UsageRecorder(usageStore, logger);
  const ledger =
    usageStore === undefined || recorder === undefined
      ? undefined
      : options.budgetRedis === undefined
        ? new BudgetLedger(usageStore, recorder)
        : new SharedBudgetLedger(options.budgetRedis, usageStore, recorder);
  return {
    policies: new CallerPolicies(settings.callers),
    admission: new Admission(counters, ledger),
    // Costs are only ever computed for usage records.
    prices: new PriceTable(settings.prices, usageStore === undefined ? undefined : await loadBundledPrices()),
    recorder,
    ledger,
    usageStore,
    close: async () => {
      await recorder?.close();
      await counters.close();
    },
  };
}
