import { describe, expect, it } from '@jest/globals';
import type { ServerSentEvent } from '@llmproxy/connector-sdk';
import { performance } from 'node:perf_hooks';
import { parseServerSentEvents, type SseGuards, type SseLimitKind } from '../../src/upstream/parse-server-sent-events.js';

async function* chunksOf(...pieces: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (const piece of pieces) yield typeof piece === 'string' ? encoder.encode(piece) : piece;
}

async function collect(events: AsyncIterable<ServerSentEvent>): Promise<ServerSentEvent[]> {
  const result: ServerSentEvent[] = [];
  for await (const event of events) result.push(event);
  return result;
}

describe('parseServerSentEvents', () => {
  it('reassembles events split across chunks, with CRLF, comments, names, ids and multi-line data', async () => {
    const events = await collect(
      parseServerSentEvents(chunksOf('data: {"a"', ':1}\n', '\n: keep-alive comment\n\nevent: ping\r\nid: 7\r\ndata: one\r\ndata: two\r\n\r\n')),
    );
    expect(events).toEqual([
      { data: '{"a":1}', event: undefined, id: undefined },
      { data: 'one\ntwo', event: 'ping', id: '7' },
    ]);
  });

  it('decodes a multi-byte character split between two chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
    const splitAt = 8; // inside the two bytes of "é"
    const events = await collect(parseServerSentEvents(chunksOf(bytes.slice(0, splitAt), bytes.slice(splitAt))));
    expect(events.map((event) => event.data)).toEqual(['héllo ✓']);
  });

  it('delivers a final event whose blank line never came', async () => {
    const events = await collect(parseServerSentEvents(chunksOf('data: first\n\n', 'data: [DONE]')));
    expect(events.map((event) => event.data)).toEqual(['first', '[DONE]']);
  });

  it('yields an event before the next chunk is read', async () => {
    let secondChunkRequested = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('data: first\n\n');
      secondChunkRequested = true;
      yield new TextEncoder().encode('data: second\n\n');
    }
    const iterator = parseServerSentEvents(source());
    const first = await iterator.next();
    expect(first.value).toMatchObject({ data: 'first' });
    expect(secondChunkRequested).toBe(false);
    await iterator.return(undefined);
  });
});

/**
 * A chunk source the test feeds by hand; a guard that trips rejects the pending read, as the
 * upstream client does by destroying the body.
 */
function controlledSource(): { chunks: AsyncIterable<Uint8Array>; push(text: string): void; fail(error: Error): void } {
  const queue: Uint8Array[] = [];
  let waiting: { resolve: (result: IteratorResult<Uint8Array>) => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  return {
    chunks: {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          if (failure !== undefined) return Promise.reject(failure);
          const next = queue.shift();
          if (next !== undefined) return Promise.resolve({ value: next, done: false });
          return new Promise((resolve, reject) => (waiting = { resolve, reject }));
        },
      }),
    },
    push(text) {
      const chunk = new TextEncoder().encode(text);
      if (waiting === undefined) queue.push(chunk);
      else waiting.resolve({ value: chunk, done: false });
      waiting = undefined;
    },
    fail(error) {
      failure = error;
      waiting?.reject(error);
      waiting = undefined;
    },
  };
}

function guardsFor(source: ReturnType<typeof controlledSource>, overrides: Partial<SseGuards> = {}): SseGuards & { tripped: SseLimitKind[] } {
  const tripped: SseLimitKind[] = [];
  return {
    maxEventBytes: 1024,
    firstContentTimeoutMs: 200,
    idleTimeoutMs: 200,
    startedAt: performance.now(),
    trip(kind) {
      tripped.push(kind);
      const error = new Error(`tripped ${kind}`);
      source.fail(error);
      return error;
    },
    tripped,
    ...overrides,
  };
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Counts the timers made through `setTimeout` from now on that have neither fired nor been
 * cleared: the parser's own, where the process's count (`getActiveResourcesInfo`) also moves
 * when a timer of another test or of jest fires meanwhile.
 */
function liveTimersMadeFromHere(): { count(): number; restore(): void } {
  const live = new Set<NodeJS.Timeout>();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const tracked = ((callback: (...args: unknown[]) => void, milliseconds?: number, ...args: unknown[]) => {
    const timer = realSetTimeout(() => {
      live.delete(timer);
      callback(...args);
    }, milliseconds);
    live.add(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.setTimeout = tracked;
  globalThis.clearTimeout = ((timer: NodeJS.Timeout | undefined) => {
    if (timer !== undefined) live.delete(timer);
    realClearTimeout(timer);
  }) as typeof clearTimeout;
  return {
    count: () => live.size,
    restore() {
      globalThis.setTimeout = realSetTimeout;
      globalThis.clearTimeout = realClearTimeout;
    },
  };
}

describe('parseServerSentEvents guards', () => {
  it('ends a stream of keep-alive comments at the first-content deadline', async () => {
    const source = controlledSource();
    const guards = guardsFor(source);
    const timer = setInterval(() => source.push(': keep-alive\n\n'), 20);
    try {
      await expect(collect(parseServerSentEvents(source.chunks, guards))).rejects.toThrow('tripped first-content');
    } finally {
      clearInterval(timer);
    }
    expect(guards.tripped).toEqual(['first-content']);
  });

  it('counts a trickle that never completes an event as idle', async () => {
    const source = controlledSource();
    const guards = guardsFor(source);
    const iterator = parseServerSentEvents(source.chunks, guards);
    source.push('data: first\n\n');
    expect((await iterator.next()).value).toMatchObject({ data: 'first' });
    const timer = setInterval(() => source.push('x'), 10);
    try {
      await expect(iterator.next()).rejects.toThrow('tripped idle');
    } finally {
      clearInterval(timer);
    }
    expect(guards.tripped).toEqual(['idle']);
  });

  it('does not count the time a slow consumer spends on an event', async () => {
    const source = controlledSource();
    const guards = guardsFor(source);
    const iterator = parseServerSentEvents(source.chunks, guards);
    source.push('data: first\n\n');
    await iterator.next();
    // The consumer takes far longer than the idle deadline; the upstream already sent the next event.
    source.push('data: second\n\n');
    await sleep(500);
    expect((await iterator.next()).value).toMatchObject({ data: 'second' });
    await iterator.return(undefined);
    expect(guards.tripped).toEqual([]);
  });

  it('holds no timer while the consumer holds an event, so an abandoned stream keeps nothing alive', async () => {
    const source = controlledSource();
    const timers = liveTimersMadeFromHere();
    try {
      const iterator = parseServerSentEvents(source.chunks, guardsFor(source, { idleTimeoutMs: 300_000, firstContentTimeoutMs: 300_000 }));
      const first = iterator.next();
      // Waiting for the first event: its deadline runs.
      await sleep(0);
      expect(timers.count()).toBe(1);
      source.push('data: first\n\n');
      expect((await first).value).toMatchObject({ data: 'first' });
      // The consumer holds the event (and may never come back): no deadline runs.
      expect(timers.count()).toBe(0);
    } finally {
      timers.restore();
    }
  });

  it('refuses an event that grows past the size limit, comments included', async () => {
    const source = controlledSource();
    const guards = guardsFor(source, { maxEventBytes: 100 });
    const iterator = parseServerSentEvents(source.chunks, guards);
    source.push('data: small\n\n');
    expect((await iterator.next()).value).toMatchObject({ data: 'small' });
    source.push(`data: ${'x'.repeat(60)}\n`);
    source.push(`: ${'y'.repeat(60)}\n`);
    await expect(iterator.next()).rejects.toThrow('tripped event-size');
    expect(guards.tripped).toEqual(['event-size']);
  });
});
