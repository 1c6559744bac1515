/**
 * @fileoverview The order in which a request tries the usable Kiro accounts: fewest recent quota
 * failures (monthly quota or throttling within `windowMs`) first, then the most recent success,
 * then by name, so a pool settles on accounts that work and spreads load away from those that
 * keep hitting limits.
 */

export class KiroAccountRanking {
  private readonly quotaFailures = new Map<string, number[]>();
  private readonly lastSuccess = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly windowMs: number,
  ) {}

  recordQuotaFailure(account: string): void {
    const times = this.recent(account);
    times.push(this.now());
    this.quotaFailures.set(account, times);
  }

  recordSuccess(account: string): void {
    this.lastSuccess.set(account, this.now());
  }

  recentQuotaFailures(account: string): number {
    return this.recent(account).length;
  }

  arrange<T extends { name: string }>(accounts: readonly T[]): T[] {
    return [...accounts].sort(
      (a, b) =>
        this.recentQuotaFailures(a.name) - this.recentQuotaFailures(b.name) ||
        (this.lastSuccess.get(b.name) ?? -Infinity) - (this.lastSuccess.get(a.name) ?? -Infinity) ||
        a.name.localeCompare(b.name),
    );
  }

  forget(keep: ReadonlySet<string>): void {
    for (const map of [this.quotaFailures, this.lastSuccess]) for (const account of map.keys()) if (!keep.has(account)) map.delete(account);
  }

  private recent(account: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.quotaFailures.get(account) ?? []).filter((time) => time > since);
    this.quotaFailures.set(account, times);
    return times;
  }
}
