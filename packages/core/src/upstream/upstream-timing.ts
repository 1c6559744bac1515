/**
 * @fileoverview Per-request accounting of the time spent waiting on upstreams, so the server can
 * report its own overhead (`x-llmproxy-overhead-ms` = time to response headers − upstream wait).
 *
 * A request's timing is tied to the abort signal its route hands to connectors (connectors pass
 * that signal on to every upstream request), so the upstream client finds it without any
 * async-context tracking: once any AsyncLocalStorage runs, Node calls a hook for every promise of
 * the process, which cost several percent of throughput.
 */
/** Time one proxied request spent waiting on upstreams so far. */
export interface UpstreamTiming {
  /** Milliseconds from sending an upstream request to its response headers, plus body reads of buffered bodies. */
  upstreamMs: number;
}

const timingBySignal = new WeakMap<AbortSignal, UpstreamTiming>();

/**
 * A fresh timing for the request whose connectors get `signal`: upstream requests sent with
 * that signal add their waits to it.
 */
export function startUpstreamTiming(signal: AbortSignal): UpstreamTiming {
  const timing: UpstreamTiming = { upstreamMs: 0 };
  timingBySignal.set(signal, timing);
  return timing;
}

/** The timing an upstream request sent with `signal` adds to. */
export function upstreamTimingFor(signal: AbortSignal): UpstreamTiming | undefined {
  return timingBySignal.get(signal);
}
