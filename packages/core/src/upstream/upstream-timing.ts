/**
 * @fileoverview Per-request accounting of the time spent waiting on upstreams, so the server can
 * report its own overhead (`x-llmproxy-overhead-ms` = time to response headers − upstream wait).
 *
 * A request's timing is tied to the abort signal its route hands to connectors (connectors pass
 * that signal on to every upstream request), so the upstream client finds it without any
 * async-context tracking: once any AsyncLocalStorage runs, Node calls a hook for every promise of
 * the process, which cost several percent of throughput.
 */
import { performance } from 'node:perf_hooks';

/** Time one proxied request spent waiting on upstreams so far. */
export interface UpstreamTiming {
  /** Milliseconds from sending an upstream request to its response headers, plus body reads of buffered bodies. */
  upstreamMs: number;
}

/**
 * Kept on the signal itself, not in a WeakMap keyed by it: V8 (Node 20) keeps WeakMap values
 * alive through young-generation collections, so each request's entry would reach the old
 * generation as garbage (see request-context.ts).
 */
const TIMING = Symbol('llmproxy.upstreamTiming');

interface SignalWithTiming {
  [TIMING]?: UpstreamTiming;
}

/**
 * A fresh timing for the request whose connectors get `signal`: upstream requests sent with
 * that signal add their waits to it.
 */
export function startUpstreamTiming(signal: AbortSignal): UpstreamTiming {
  const timing: UpstreamTiming = { upstreamMs: 0 };
  (signal as SignalWithTiming)[TIMING] = timing;
  return timing;
}

/** The timing an upstream request sent with `signal` adds to. */
export function upstreamTimingFor(signal: AbortSignal): UpstreamTiming | undefined {
  return (signal as SignalWithTiming)[TIMING];
}

/** Adds the time since `since` (a `performance.now()`) to `timing`, if the request has one. */
export function addUpstreamTime(timing: UpstreamTiming | undefined, since: number): void {
  if (timing !== undefined) timing.upstreamMs += performance.now() - since;
}
