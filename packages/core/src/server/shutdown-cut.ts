/**
 * @fileoverview What a request still running when the drain timeout passed is told. Shutdown
 * aborts such a request's signal with {@link shutdownCutError} as the reason, so the route can
 * tell "the server gave up on you" (the client gets `SERVER_SHUTTING_DOWN` in its API's format,
 * as an HTTP error or as the stream's final error event) from "the client went away" (nobody to
 * tell).
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

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
 * chunk it relayed.
 */
export async function* endOnShutdown<Event>(events: AsyncIterable<Event>, signal: AbortSignal): AsyncGenerator<Event> {
  const iterator = events[Symbol.asyncIterator]();
  let failPendingRead: ((error: Error) => void) | undefined;
  const onAbort = (): void => {
    const error = shutdownCutOf(signal);
    if (error !== undefined) failPendingRead?.(error);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const cut = shutdownCutOf(signal);
      if (cut !== undefined) throw cut;
      let next: IteratorResult<Event>;
      try {
        next = await new Promise<IteratorResult<Event>>((resolve, reject) => {
          failPendingRead = reject;
          iterator.next().then(resolve, reject);
        });
      } catch (error) {
        throw shutdownCutOf(signal) ?? error;
      } finally {
        failPendingRead = undefined;
      }
      if (next.done === true) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
