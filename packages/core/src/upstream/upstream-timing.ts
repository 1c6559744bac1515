/**
 * @fileoverview Per-request accounting of the time spent waiting on upstreams, so the server can
 * report its own overhead (`x-llmproxy-overhead-ms` = time to response headers − upstream wait).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Time one proxied request spent waiting on upstreams so far. */
export interface UpstreamTiming {
  /** Milliseconds from sending an upstream request to its response headers, plus body reads of buffered bodies. */
  upstreamMs: number;
}

const storage = new AsyncLocalStorage<UpstreamTiming>();

/** Runs `fn` in a fresh timing scope; upstream calls made within it (however deeply async) add to it. */
export function runWithUpstreamTiming<T>(fn: () => T): T {
  return storage.run({ upstreamMs: 0 }, fn);
}

/** The timing scope of the current request, or undefined outside {@link runWithUpstreamTiming}. */
export function currentUpstreamTiming(): UpstreamTiming | undefined {
  return storage.getStore();
}
