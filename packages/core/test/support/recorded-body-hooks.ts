/**
 * @fileoverview What the body readers' tests (body-chunks, body-pump) hand a reader: hooks that
 * record the failures and early stops they see, and event-stream guards with small limits.
 */
import type { BodyChunkHooks } from '../../src/upstream/body-chunks.js';
import type { SseGuards } from '../../src/upstream/parse-server-sent-events.js';

export function recordedHooks(): BodyChunkHooks & { failures: unknown[]; stops: number } {
  const recorded = {
    failures: [] as unknown[],
    stops: 0,
    failure(error: unknown) {
      recorded.failures.push(error);
      return new Error(`wrapped: ${(error as Error).message}`);
    },
    stoppedEarly() {
      recorded.stops += 1;
    },
  };
  return recorded;
}

/** A 64-byte event limit and deadlines far away, unless overridden. */
export function smallGuards(overrides: Partial<SseGuards> = {}): SseGuards {
  return {
    maxEventBytes: 64,
    firstContentTimeoutMs: 60_000,
    idleTimeoutMs: 60_000,
    startedAt: performance.now(),
    trip: (kind) => new Error(`tripped: ${kind}`),
    ...overrides,
  };
}
