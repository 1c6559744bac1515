/**
 * @fileoverview Tracks the requests being served, so shutdown can wait for them to finish
 * (bounded by the drain timeout) and then abort whatever is left, which also cancels the
 * upstream requests behind them.
 */
import { abortRequestSignal } from '../upstream/request-signals.js';

export class InFlightRequests {
  readonly #active = new Set<AbortController>();
  readonly #idleWaiters = new Set<() => void>();
  #shuttingDown = false;
  #onRequestFinishedDuringShutdown: (() => void) | undefined;

  /** True once shutdown began: requests arriving now are refused. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  get size(): number {
    return this.#active.size;
  }

  /** Registers a request; call the returned function when its response is closed. */
  track(abortController: AbortController): () => void {
    this.#active.add(abortController);
    return () => {
      if (!this.#active.delete(abortController)) return;
      if (this.#shuttingDown) this.#onRequestFinishedDuringShutdown?.();
      if (this.#active.size === 0) for (const wake of this.#idleWaiters) wake();
    };
  }

  /** Stops admitting requests; `onRequestFinished` runs each time an in-flight request ends. */
  beginShutdown(onRequestFinished: () => void): void {
    this.#shuttingDown = true;
    this.#onRequestFinishedDuringShutdown = onRequestFinished;
  }

  /** Resolves true when no request is in flight, or false when `timeoutMs` passed first. */
  waitUntilIdle(timeoutMs: number): Promise<boolean> {
    if (this.#active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (idle: boolean): void => {
        clearTimeout(timer);
        this.#idleWaiters.delete(wake);
        resolve(idle);
      };
      const wake = (): void => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.#idleWaiters.add(wake);
    });
  }

  /**
   * Aborts every in-flight request with `reason` (their connectors cancel the upstream
   * requests; the routes tell the clients why).
   */
  abortAll(reason?: unknown): void {
    for (const abortController of this.#active) abortRequestSignal(abortController, reason);
  }
}
