/**
 * @fileoverview The upstream idle timeout (`server.upstream_timeout_ms`) of every request one
 * upstream client sends, kept by one sweep instead of a socket timer per request. Node's socket
 * timeout (`timeout` on http.request) arms a timer for each request, re-arms it on every chunk
 * and disarms it when the socket goes back to the pool, which cost about 5% of a relayed
 * request's CPU in the benchmark. The sweep runs every {@link SWEEP_INTERVAL_MS} while requests
 * are in flight, so a silent upstream is cut at most that long after its deadline.
 */
import { performance } from 'node:perf_hooks';

export const SWEEP_INTERVAL_MS = 50;

/** One request's deadline: `timeoutMs` after it last heard from its upstream. */
export interface IdleDeadline {
  readonly timeoutMs: number;
  /** `performance.now()` by which the upstream must have sent something. */
  at: number;
  /** Runs once, when the deadline passed. */
  readonly expire: () => void;
}

export class IdleDeadlines {
  readonly #pending = new Set<IdleDeadline>();
  #sweeper: NodeJS.Timeout | undefined;

  /** Starts counting `timeoutMs` of silence now; a timeout of 0 or less never expires. */
  start(timeoutMs: number, expire: () => void): IdleDeadline {
    const deadline: IdleDeadline = { timeoutMs, at: performance.now() + timeoutMs, expire };
    if (timeoutMs <= 0) return deadline;
    this.#pending.add(deadline);
    this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS).unref();
    return deadline;
  }

  /** The upstream sent something: the silence starts over. */
  static heard(deadline: IdleDeadline): void {
    deadline.at = performance.now() + deadline.timeoutMs;
  }

  /** The request ended; its deadline no longer applies. */
  stop(deadline: IdleDeadline): void {
    if (!this.#pending.delete(deadline) || this.#pending.size > 0) return;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Forgets every deadline (the client is closing). */
  clear(): void {
    this.#pending.clear();
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  #sweep(): void {
    const now = performance.now();
    for (const deadline of this.#pending) {
      if (deadline.at > now) continue;
      this.stop(deadline);
      deadline.expire();
    }
  }
}
