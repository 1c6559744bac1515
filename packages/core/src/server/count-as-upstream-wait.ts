/**
 * @fileoverview Counts a stretch of waiting on the upstream's stream body (its first event, or
 * all of it when collected) as upstream time, so the overhead header reports only the proxy's
 * own work. The upstream client times headers itself; whatever it recorded during the stretch
 * is not counted twice.
 */
import { performance } from 'node:perf_hooks';
import type { UpstreamTiming } from '../upstream/upstream-timing.js';

export async function countAsUpstreamWait<T>(timing: UpstreamTiming | undefined, wait: () => Promise<T>): Promise<T> {
  if (timing === undefined) return wait();
  const recordedBefore = timing.upstreamMs;
  const startedAt = performance.now();
  try {
    return await wait();
  } finally {
    const waited = performance.now() - startedAt;
    timing.upstreamMs = recordedBefore + Math.max(waited, timing.upstreamMs - recordedBefore);
  }
}
