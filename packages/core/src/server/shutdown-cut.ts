/**
 * @fileoverview What a request still running when the drain timeout passed is told. Shutdown
 * aborts such a request's signal with {@link shutdownCutError} as the reason, so the route can
 * tell "the server gave up on you" (the client gets `SERVER_SHUTTING_DOWN` in its API's format,
 * as an HTTP error or as the stream's final error event) from "the client went away" (nobody to
 * tell).
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { onSignalAbort } from '../upstream/request-signals.js';

export function shutdownCutError(drainTimeoutMs: number): LlmProxyError {
  return new LlmProxyError({
    code: 'SERVER_SHUTTING_DOWN',
    message: 'The proxy is shutting down and ended this request, which was still running when the drain timeout passed',
    currentValue: `server.drain_timeout_ms ${drainTimeoutMs}`,
    fix: 'Retry against a running instance; raise server.drain_timeout_ms (LLM_PROXY_DRAIN_TIMEOUT_MS) to let long streams finish at shutdown',
    httpStatus: 503,
  });
}

/** The shutdown error when `signal` was aborted by shutdown, else undefined. */
export function shutdownCutOf(signal: AbortSignal): LlmProxyError | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  return LlmProxyError.is(reason) && reason.code === 'SERVER_SHUTTING_DOWN' ? reason : undefined;
}

/**
 * Passes `events` through until shutdown cuts the request, then throws the shutdown error in
 * their place (the front-end renders it as the stream's error event) and releases the source.
 * It does not wait for the source to notice the abort: a connector may turn an abort into an
 * error of its own, or take a while to.
 *
 * Each read gets its own promise that shutdown can reject. Racing every read against one
 * long-lived "cut" promise (Promise.race) would leave a reaction on that promise per event,
 * each holding the event it raced for, until the stream ended: a long stream kept every
 * chunk it relayed. A plain iterator rather than an async generator: every event of every
 * stream passes through it, and a generator's yield costs a few more promise hops.
 */
export function endOnShutdown<Event>(events: AsyncIterable<Event>, signal: AbortSignal): AsyncIterableIterator<Event> {
  return new ShutdownCutIterator(events[Symbol.asyncIterator](), signal);
}

const ENDED: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** A class, not closures per stream and per read: one is held by every open stream. */
class ShutdownCutIterator<Event> implements AsyncIterableIterator<Event> {
  #pendingRead: { resolve(result: IteratorResult<Event>): void; reject(error: unknown): void } | undefined;
  #finished = false;
  readonly #forgetAbort: () => void;

  constructor(
    private readonly source: AsyncIterator<Event>,
    private readonly signal: AbortSignal,
  ) {
    // Core aborts a request's signal through abortRequestSignal, which runs this without an
    // EventTarget listener (see request-signals.ts).
    this.#forgetAbort = onSignalAbort(signal, this.#onAbort);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Event>> {
    if (this.#finished) return Promise.resolve(ENDED);
    const cut = shutdownCutOf(this.signal);
    if (cut !== undefined) {
      this.#finish(true);
      return Promise.reject(cut);
    }
    return new Promise<IteratorResult<Event>>((resolve, reject) => {
      this.#pendingRead = { resolve, reject };
      this.source.next().then(this.#onSourceResult, this.#failPendingRead);
    });
  }

  return(): Promise<IteratorResult<Event>> {
    this.#finish(true);
    return Promise.resolve(ENDED);
  }

  readonly #onAbort = (): void => {
    const error = shutdownCutOf(this.signal);
    if (error !== undefined) this.#failPendingRead(error);
  };

  readonly #onSourceResult = (result: IteratorResult<Event>): void => {
    const pending = this.#pendingRead;
    // Shutdown got there first: the read already failed.
    if (pending === undefined) return;
    this.#pendingRead = undefined;
    if (result.done === true) this.#finish(false);
    pending.resolve(result);
  };

  readonly #failPendingRead = (error: unknown): void => {
    const pending = this.#pendingRead;
    if (pending === undefined) return;
    this.#pendingRead = undefined;
    this.#finish(true);
    pending.reject(shutdownCutOf(this.signal) ?? error);
  };

  #finish(releaseSource: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#forgetAbort();
    if (releaseSource) void Promise.resolve(this.source.return?.()).catch(() => undefined);
  }
}
