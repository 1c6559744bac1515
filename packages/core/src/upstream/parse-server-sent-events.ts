/**
 * @fileoverview Turns a byte stream into server-sent events as they arrive, with
 * eventsource-parser doing the framing (CRLF, multi-line data, comments, BOM), and guards the
 * stream against an upstream that sends too much or too little: one event may not grow past a
 * size limit, and events must keep coming (a first-content deadline, then an idle deadline).
 */
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import type { ServerSentEvent } from '@llmproxy/connector-sdk';

/** Which guard of {@link SseGuards} tripped. */
export type SseLimitKind = 'event-size' | 'first-content' | 'idle';

/**
 * Limits for one event stream. "Content" is a complete event (its terminating blank line
 * arrived): comments (`: keep-alive`) and bytes of an unfinished event are not content, so an
 * upstream that only sends keep-alives, or trickles an event byte by byte, still meets the
 * deadline. Time the consumer spends on an event (a slow client) never counts.
 */
export interface SseGuards {
  /** Most bytes since the last complete event (its data, unfinished lines and comments), checked per chunk read. */
  maxEventBytes: number;
  /** Most milliseconds from `startedAt` to the first complete event. */
  firstContentTimeoutMs: number;
  /** Most milliseconds the reader waits for each later event. */
  idleTimeoutMs: number;
  /** `performance.now()` when the request was sent. */
  startedAt: number;
  /**
   * Called once when a guard trips; returns the error to fail with. For the deadlines it must
   * also make the pending chunk read reject (by destroying the body), since the parser is
   * waiting on it.
   */
  trip(kind: SseLimitKind): Error;
}

/**
 * Yields each event as soon as its terminating blank line arrived. An event left incomplete
 * when the body ends is still delivered: some upstreams omit the final blank line after
 * `data: [DONE]`.
 */
export async function* parseServerSentEvents(chunks: AsyncIterable<Uint8Array>, guards?: SseGuards): AsyncGenerator<ServerSentEvent> {
  let parsed: ServerSentEvent[] = [];
  const parser = createParser({
    onEvent(event) {
      parsed.push(event);
    },
  });
  const decoder = new TextDecoder();
  const deadline = guards === undefined ? undefined : new ContentDeadline(guards);
  // Bytes read since the last complete event: what the parser may be holding.
  let pendingBytes = 0;
  try {
    deadline?.start();
    for await (const chunk of chunks) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (parsed.length === 0) {
        pendingBytes += chunk.byteLength;
        if (guards !== undefined && pendingBytes > guards.maxEventBytes) {
          deadline?.stop();
          throw guards.trip('event-size');
        }
        continue;
      }
      // Within one chunk the position of the last event is not known, so the count restarts at
      // the chunk's end: it can be short by at most one chunk (a socket or decoder read, ≤ 64 KiB).
      pendingBytes = 0;
      // Swap before yielding: the consumer may take its time, and the parser only fills the
      // array during feed().
      const ready = parsed;
      parsed = [];
      deadline?.pause();
      yield* ready;
      deadline?.start();
    }
  } finally {
    deadline?.stop();
  }
  parser.feed(`${decoder.decode()}\n\n`);
  yield* parsed;
}

/**
 * The timer behind the first-content and idle deadlines; runs only while the parser waits for
 * bytes. Paused while the consumer holds an event, it holds no timer: a consumer that abandons
 * the stream there without closing it must not leave a timer (and the stream it closes over)
 * alive for the whole idle timeout, nor keep the process from exiting.
 */
export class ContentDeadline {
  private timer: NodeJS.Timeout | undefined;
  private sawContent = false;

  constructor(private readonly guards: SseGuards) {}

  start(): void {
    this.stop();
    const wait = this.sawContent
      ? this.guards.idleTimeoutMs
      : this.guards.firstContentTimeoutMs - (performance.now() - this.guards.startedAt);
    const kind: SseLimitKind = this.sawContent ? 'idle' : 'first-content';
    // The error reaches the parser through the chunk read that trip() makes fail.
    this.timer = setTimeout(() => this.guards.trip(kind), Math.max(0, wait));
  }

  /** Stops the clock while the consumer takes an event that arrived; the next start() measures idleness. */
  pause(): void {
    this.stop();
    this.sawContent = true;
  }

  /**
   * Content arrived and was taken at once: the idle clock starts over. The idle timer is
   * refreshed rather than replaced, so an open stream does not make a timer and a closure per
   * event (young objects that every young-generation collection copies while the stream waits).
   */
  restart(): void {
    if (this.sawContent && this.timer !== undefined) {
      this.timer.refresh();
      return;
    }
    this.sawContent = true;
    this.start();
  }

  /** Stops the clock: the stream ended or failed, or the consumer holds an event. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
