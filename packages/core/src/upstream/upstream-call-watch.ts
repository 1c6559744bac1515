/**
 * @fileoverview Lets whoever observes a proxied request (tracing) hear about each upstream call
 * sent with that request's abort signal: when it starts, and how it ends. Found through the
 * signal, as upstream-timing.ts finds its timing, so no async-context tracking is needed.
 */

/** One upstream call as the watcher sees it: never its headers or body (they carry credentials). */
export interface UpstreamCallStart {
  method: string;
  url: string;
}

/** What the watcher hears of one call after its start. */
export interface UpstreamCallObservation {
  /** The response headers arrived with this status. */
  responded(status: number): void;
  /** The call is over: its body closed (read, discarded or cut off), or it failed before a response. Called once. */
  ended(outcome: { error?: unknown }): void;
}

export interface UpstreamCallWatcher {
  callStarted(call: UpstreamCallStart): UpstreamCallObservation;
}

const watchersBySignal = new WeakMap<AbortSignal, UpstreamCallWatcher>();

/** Upstream calls sent with `signal` are reported to `watcher` from now on. */
export function watchUpstreamCalls(signal: AbortSignal, watcher: UpstreamCallWatcher): void {
  watchersBySignal.set(signal, watcher);
}

/** The watcher of upstream calls sent with `signal`, if any. */
export function upstreamCallWatcherFor(signal: AbortSignal): UpstreamCallWatcher | undefined {
  return watchersBySignal.get(signal);
}
