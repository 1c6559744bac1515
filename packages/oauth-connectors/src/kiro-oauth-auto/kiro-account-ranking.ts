/**
 * @fileoverview The order in which a request tries the usable Kiro accounts: fewest recent quota
 * failures (monthly quota or throttling within `windowMs`) first, then the most recent success,
 * then by name, so a pool settles on accounts that work and spreads load away from those that
 * keep hitting limits.
 */

import type { Unavailability } from '../account-pool/account-availability.js';
import type { AccountArrangement } from '../account-pool/account-pool.js';

export class KiroAccountRanking implements AccountArrangement {
  private readonly quotaFailures = new Map<string, number[]>();
  private readonly lastSuccess = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly windowMs: number,
  ) {}

  /** A cooling account (monthly quota, throttling) counts as a recent quota failure. */
  setAside(account: string, unavailability: Unavailability): void {
    if (!unavailability.cooling) return;
    const times = this.recent(account);
    times.push(this.now());
    this.quotaFailures.set(account, times);
  }

  served(_conversation: string, account: string): void {
    this.lastSuccess.set(account, this.now());
  }

  recentQuotaFailures(account: string): number {
    return this.recent(account).length;
  }

  /** Kiro keeps no conversation on one account: the ranking alone decides. */
  arrange<T extends { name: string }>(accounts: readonly T[]): T[] {
    return [...accounts].sort(
      (a, b) =>
        this.recentQuotaFailures(a.name) - this.recentQuotaFailures(b.name) ||
        (this.lastSuccess.get(b.name) ?? -Infinity) - (this.lastSuccess.get(a.name) ?? -Infinity) ||
        a.name.localeCompare(b.name),
    );
  }

  retain(keep: ReadonlySet<string>): void {
    for (const map of [this.quotaFailures, this.lastSuccess]) for (const account of map.keys()) if (!keep.has(account)) map.delete(account);
  }

  private recent(account: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.quotaFailures.get(account) ?? []).filter((time) => time > since);
    this.quotaFailures.set(account, times);
    return times;
  }
}
