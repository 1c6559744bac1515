/**
 * @fileoverview The order in which a request tries the usable accounts of a pool:
 *
 * - `session-affinity` (default): the account that served this conversation before, then the
 *   others in round-robin order (so new conversations spread over the pool);
 * - `round-robin`: each request starts one account further along;
 * - `first-available`: always in name order, so later accounts are used only when earlier ones
 *   are cooling down.
 */
export const SELECTION_STRATEGIES = ['session-affinity', 'round-robin', 'first-available'] as const;
export type SelectionStrategy = (typeof SELECTION_STRATEGIES)[number];

/** Conversations remembered for affinity; the oldest are forgotten first. */
const MAX_REMEMBERED_CONVERSATIONS = 10_000;

export class AccountOrder {
  private nextStart = 0;
  private readonly affinity = new Map<string, string>();

  constructor(private readonly strategy: SelectionStrategy) {}

  /** `usable` (in name order) arranged for one request. */
  arrange<T extends { name: string }>(usable: readonly T[], conversation: string | undefined): T[] {
    if (usable.length === 0 || this.strategy === 'first-available') return [...usable];
    const start = this.nextStart % usable.length;
    this.nextStart = (this.nextStart + 1) % Number.MAX_SAFE_INTEGER;
    const rotated = [...usable.slice(start), ...usable.slice(0, start)];
    if (this.strategy === 'round-robin' || conversation === undefined) return rotated;
    const sticky = this.affinity.get(conversation);
    const stickyIndex = rotated.findIndex((account) => account.name === sticky);
    if (stickyIndex <= 0) return rotated;
    return [rotated[stickyIndex]!, ...rotated.slice(0, stickyIndex), ...rotated.slice(stickyIndex + 1)];
  }

  /** Remembers which account served a conversation. */
  served(conversation: string | undefined, accountName: string): void {
    if (this.strategy !== 'session-affinity' || conversation === undefined) return;
    this.affinity.delete(conversation);
    this.affinity.set(conversation, accountName);
    if (this.affinity.size > MAX_REMEMBERED_CONVERSATIONS) {
      const oldest = this.affinity.keys().next().value;
      if (oldest !== undefined) this.affinity.delete(oldest);
    }
  }
}
