/**
 * @fileoverview The id of the client request an upstream request is sent for, found through the
 * abort signal the route handed to connectors (as upstream-timing.ts finds the timing), so the
 * upstream client's log lines name the request without async-context tracking.
 */
const requestIdBySignal = new WeakMap<AbortSignal, string>();

/** Upstream requests sent with `signal` belong to the client request `requestId`. */
export function tagSignalWithRequestId(signal: AbortSignal, requestId: string): void {
  requestIdBySignal.set(signal, requestId);
}

/** The client request an upstream request sent with `signal` is for, if any. */
export function requestIdOfSignal(signal: AbortSignal | undefined): string | undefined {
  return signal === undefined ? undefined : requestIdBySignal.get(signal);
}
