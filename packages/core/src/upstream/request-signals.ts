/**
 * @fileoverview What core knows of the abort signal of a client request, the signal it hands to
 * connectors: the request's id, for the upstream client's log lines, and the upstream calls to
 * cut when the request is aborted. Both are found through the signal, as upstream-timing.ts finds
 * the timing, so nothing needs async-context tracking.
 *
 * Core aborts these signals itself (the client left, or shutdown gave up waiting) through
 * {@link abortRequestSignal}, which cuts the registered calls; an upstream call on such a signal
 * therefore needs no 'abort' listener. On Node 20 adding and removing an EventTarget listener on
 * each request's fresh AbortSignal cost about a tenth of a relayed request's CPU in the benchmark.
 * A signal core did not register (a connector's own, or one derived with AbortSignal.any) still
 * gets a listener.
 */
interface RequestSignal {
  readonly requestId: string;
  /** The cuts of upstream calls in flight; created with the first. */
  cuts: Set<() => void> | undefined;
}

/** On the signal itself rather than in a WeakMap, for the reason upstream-timing.ts gives. */
const REQUEST = Symbol('llmproxy.requestSignal');

interface RegisteredSignal {
  [REQUEST]?: RequestSignal;
}

function requestOf(signal: AbortSignal): RequestSignal | undefined {
  return (signal as RegisteredSignal)[REQUEST];
}

/** Upstream calls sent with `controller`'s signal belong to the client request `requestId`. */
export function registerRequestSignal(controller: AbortController, requestId: string): void {
  (controller.signal as RegisteredSignal)[REQUEST] = { requestId, cuts: undefined };
}

/** The client request an upstream call sent with `signal` is for, if any. */
export function requestIdOfSignal(signal: AbortSignal | undefined): string | undefined {
  return signal === undefined ? undefined : requestOf(signal)?.requestId;
}

/** Runs `cut` once when `signal` is aborted; call the returned function when the call no longer needs it. */
export function onSignalAbort(signal: AbortSignal, cut: () => void): () => void {
  const request = requestOf(signal);
  if (request === undefined) {
    signal.addEventListener('abort', cut, { once: true });
    return () => signal.removeEventListener('abort', cut);
  }
  const cuts = (request.cuts ??= new Set());
  cuts.add(cut);
  return () => cuts.delete(cut);
}

/** Aborts a client request's signal (its connectors' listeners run) and cuts its upstream calls. */
export function abortRequestSignal(controller: AbortController, reason?: unknown): void {
  if (controller.signal.aborted) return;
  controller.abort(reason);
  const cuts = requestOf(controller.signal)?.cuts;
  if (cuts === undefined) return;
  for (const cut of [...cuts]) cut();
  cuts.clear();
}
