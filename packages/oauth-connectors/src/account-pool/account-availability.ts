/**
 * @fileoverview Which accounts of a pool may serve requests right now. An account is set aside
 * until a time: `cooling` for a quota or rate limit that ends by itself (it counts towards "when
 * does the earliest account free up"), otherwise blocked for a reason only its owner can fix
 * (a login to renew, a plan without access), rechecked after a while.
 */

export interface Unavailability {
  /** Epoch milliseconds. */
  until: number;
  cooling: boolean;
  reason: string;
}

export class AccountAvailability {
  private readonly unavailable = new Map<string, Unavailability>();

  constructor(private readonly now: () => number) {}

  isUsable(account: string): boolean {
    const entry = this.unavailable.get(account);
    if (entry !== undefined && entry.until <= this.now()) this.unavailable.delete(account);
    return !this.unavailable.has(account);
  }

  setAside(account: string, unavailability: Unavailability): void {
    this.unavailable.set(account, unavailability);
  }

  /** Makes the account usable again (e.g. its login file changed). */
  clear(account: string): void {
    this.unavailable.delete(account);
  }

  of(account: string): Unavailability | undefined {
    return this.isUsable(account) ? undefined : this.unavailable.get(account);
  }

  /** Of `accounts`, the cooling one that frees up first. */
  earliestCooling(accounts: readonly string[]): { account: string; until: number } | undefined {
    let earliest: { account: string; until: number } | undefined;
    for (const account of accounts) {
      const entry = this.of(account);
      if (entry?.cooling === true && (earliest === undefined || entry.until < earliest.until)) earliest = { account, until: entry.until };
    }
    return earliest;
  }

  /** Forgets accounts that are no longer in the pool. */
  retain(accounts: ReadonlySet<string>): void {
    for (const account of this.unavailable.keys()) if (!accounts.has(account)) this.unavailable.delete(account);
  }
}
