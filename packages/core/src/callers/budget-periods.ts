/**
 * @fileoverview Budget periods are calendar periods in UTC: a day budget resets at 00:00 UTC, a
 * month budget on the 1st at 00:00 UTC, the same for every caller and every replica.
 */
import type { BudgetPeriod } from '../config/proxy-settings.js';

/** The start of the period that `time` (Unix milliseconds) falls in. */
export function periodStart(period: BudgetPeriod, time: number): number {
  const date = new Date(time);
  return period === 'day'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** When the period that `time` falls in ends, and its budget resets. */
export function periodEnd(period: BudgetPeriod, time: number): number {
  const date = new Date(time);
  return period === 'day'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1)
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
