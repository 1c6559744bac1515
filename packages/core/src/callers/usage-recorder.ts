/**
 * @fileoverview Usage records leave the hot path at once: `record()` only queues. The queue is
 * written in one transaction every {@link FLUSH_INTERVAL_MS} or as soon as it holds
 * {@link FLUSH_BATCH_SIZE} records, and `close()` (shutdown, after the server drained) writes
 * what is left, so a SIGTERM loses no record. A store that fails is logged and retried with the
 * next flush; the queue is bounded, so a store that stays down costs memory only up to a limit.
 */
import type { AppLogger } from '../logging/app-logger.js';
import type { UsageRecord, UsageStore } from '../storage/usage-store.js';

export const FLUSH_INTERVAL_MS = 200;
export const FLUSH_BATCH_SIZE = 500;
/** Records kept while the store fails; beyond it the oldest are dropped (and counted in the log). */
export const MAX_QUEUED_RECORDS = 100_000;

export class UsageRecorder {
  private queue: UsageRecord[] = [];
  /** Records taken from the queue whose write has not finished. */
  private writing: readonly UsageRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: UsageStore,
    private readonly logger: AppLogger,
  ) {}

  record(record: UsageRecord): void {
    if (this.queue.length >= MAX_QUEUED_RECORDS) {
      this.queue.shift();
      this.logger.error('Usage queue full: the oldest unwritten usage record was dropped', { limit: MAX_QUEUED_RECORDS });
    }
    this.queue.push(record);
    if (this.closed) return;
    if (this.queue.length >= FLUSH_BATCH_SIZE) setImmediate(() => void this.flush());
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  /** Costs of records not yet written, for the budget ledger's first read of a period. */
  unwrittenCost(caller: string, since: number): number {
    let cost = 0;
    for (const record of [...this.writing, ...this.queue]) {
      if (record.caller === caller && record.startedAt >= since && record.costUsd !== null) cost += record.costUsd;
    }
    return cost;
  }

  /** Writes every queued record. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // One write at a time, in order; a flush asked for during one runs after it.
    while (this.flushing !== undefined) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.writing = batch;
    this.flushing = this.store.append(batch).then(
      () => undefined,
      (error: unknown) => {
        // Put back in front, so nothing is lost while the store recovers.
        this.queue = [...batch, ...this.queue].slice(-MAX_QUEUED_RECORDS);
        this.logger.error('Writing usage records failed; they stay queued for the next attempt', { records: batch.length, error });
        if (!this.closed) this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS * 10).unref();
      },
    );
    try {
      await this.flushing;
    } finally {
      this.writing = [];
      this.flushing = undefined;
    }
  }

  /** Writes what is left and closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.queue.length > 0) {
      this.logger.error('Usage records could not be written at shutdown', { records: this.queue.length });
    }
    await this.store.close();
  }
}
