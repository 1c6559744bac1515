/**
 * @fileoverview What the server keeps per caller: their policies (models, limits, budgets), the
 * admission check, the price table, the usage recorder and the budget ledger. Built once at
 * startup from the settings and the stores; `close()` writes the queued usage records and closes
 * the stores, after the server drained.
 */
import { Admission } from '../callers/admission.js';
import { BudgetLedger } from '../callers/budget-ledger.js';
import { CallerPolicies } from '../callers/caller-policies.js';
import { PriceTable } from '../callers/price-table.js';
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
  ledger: BudgetLedger | undefined;
  /** The usage store, for `/admin/usage` and the SSO pages; undefined with usage off. */
  usageStore: UsageStore | undefined;
  close(): Promise<void>;
}

export function createCallerAccounting(options: {
  settings: Readonly<ProxySettings>;
  logger: AppLogger;
  /** Undefined with usage recording off. */
  usageStore: UsageStore | undefined;
  counters?: RateCounters;
}): CallerAccounting {
  const { settings, logger, usageStore } = options;
  const counters = options.counters ?? new MemoryRateCounters();
  const recorder = usageStore === undefined ? undefined : new UsageRecorder(usageStore, logger);
  const ledger = usageStore === undefined || recorder === undefined ? undefined : new BudgetLedger(usageStore, recorder);
  return {
    policies: new CallerPolicies(settings.callers),
    admission: new Admission(counters, ledger),
    prices: new PriceTable(settings.prices),
    recorder,
    ledger,
    usageStore,
    close: async () => {
      await recorder?.close();
      await counters.close();
    },
  };
}
