/**
 * @fileoverview Relays a server-sent event stream as the upstream sent it, cut at event
 * boundaries, under the same guards as parseServerSentEvents (event size, first-content and
 * idle deadlines). Nothing is decoded or re-framed: a chunk's bytes up to its last blank line go
 * out as they are, and the bytes of an unfinished event wait for the rest of it, so an error the
 * proxy adds later (a deadline, shutdown) always starts on a fresh event.
 */
import type { RelayWatch } from '@llmproxy/connector-sdk';
import type { ChunkCutter } from './body-chunks.js';
import { ContentDeadline, type SseGuards } from './parse-server-sent-events.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** `data:`: an event with a data line is content; comments (`: keep-alive`) are not. */
const DATA_FIELD = Buffer.from('data:');

/**
 * The bytes of the markers relays search for (end markers, the usage key), made once per marker
 * rather than once per stream: every open stream held its own copies. Markers are the
 * front-ends' constants, so the cache stays small; the bound is a guard, not a tuning.
 */
const MARKER_BYTES = new Map<string, Buffer>();
const MARKER_CACHE_SIZE = 64;

export function markerBytes(marker: string): Buffer {
  let bytes = MARKER_BYTES.get(marker);
  if (bytes === undefined) {
    bytes = Buffer.from(marker);
    if (MARKER_BYTES.size >= MARKER_CACHE_SIZE) MARKER_BYTES.clear();
    MARKER_BYTES.set(marker, bytes);
  }
  return bytes;
}

/**
 * Yields the stream's bytes, each piece ending where an event ended. An unfinished event left
 * when the body ends is still delivered (some upstreams omit the final blank line). For a source
 * other than a response body (which core's upstream client cuts in its reader with the same
 * {@link SseRelayCutter}).
 */
export async function* relayServerSentEvents(
  chunks: AsyncIterable<Uint8Array>,
  guards: SseGuards,
  watch?: RelayWatch,
): AsyncGenerator<Uint8Array> {
  const cutter = new SseRelayCutter(guards, watch);
  try {
    for await (const received of chunks) {
      const events = cutter.take(Buffer.isBuffer(received) ? received : Buffer.from(received.buffer, received.byteOffset, received.byteLength));
      if (events === undefined) continue;
      cutter.delivered(events);
      yield events;
      cutter.asked();
    }
  } finally {
    cutter.finished();
  }
  const rest = cutter.rest();
  if (rest !== undefined) yield rest;
}

/**
 * Cuts relayed bytes at event boundaries, keeps the stream's first-content and idle deadlines
 * and the event size limit, and shows the watch the events that carry its marker. The bytes of
 * an unfinished event are kept as received: joining them on every chunk would copy an event
 * trickled in small pieces over and over.
 */
export class SseRelayCutter implements ChunkCutter {
  readonly #deadline: ContentDeadline;
  readonly #marker: Buffer | undefined;
  #pending: Buffer[] = [];
  #pendingLength = 0;
  /** The consumer holds events with data: the idle clock waits for it to ask again. */
  #holding = false;

  constructor(
    private readonly guards: SseGuards,
    private readonly watch?: RelayWatch,
  ) {
    this.#deadline = new ContentDeadline(guards);
    this.#marker = watch === undefined ? undefined : markerBytes(watch.marker);
    this.#deadline.start();
  }

  take(chunk: Buffer): Buffer | undefined {
    // A blank line may straddle the previous chunk and this one: the last bytes before it count.
    const tail = this.#pendingLength === 0 ? undefined : Buffer.concat(this.#pending.slice(-3)).subarray(-3);
    const end = tail === undefined ? endOfLastEvent(chunk) : endOfLastEvent(Buffer.concat([tail, chunk])) - tail.length;
    if (end <= 0) {
      this.#pending.push(chunk);
      this.#pendingLength += chunk.length;
      if (this.#pendingLength > this.guards.maxEventBytes) {
        this.#deadline.stop();
        throw this.guards.trip('event-size');
      }
      return undefined;
    }
    const events = this.#pendingLength === 0 ? chunk.subarray(0, end) : Buffer.concat([...this.#pending, chunk.subarray(0, end)]);
    const rest = chunk.subarray(end);
    this.#pending = rest.length === 0 ? [] : [rest];
    this.#pendingLength = rest.length;
    this.#observe(events);
    return events;
  }

  rest(): Buffer | undefined {
    if (this.#pendingLength === 0) return undefined;
    const rest = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingLength = 0;
    this.#observe(rest);
    return rest;
  }

  delivered(events: Buffer): void {
    // Only events with data stop the idle clock, as in parseServerSentEvents.
    if (!events.includes(DATA_FIELD)) return;
    this.#deadline.pause();
    this.#holding = true;
  }

  taken(events: Buffer): void {
    // The idle clock starts over, on the timer it already has: a pushed stream makes no timer per event.
    if (events.includes(DATA_FIELD)) this.#deadline.restart();
  }

  asked(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.#deadline.start();
  }

  finished(): void {
    this.#deadline.stop();
  }

  #observe(events: Buffer): void {
    if (this.#marker !== undefined && events.includes(this.#marker)) this.watch?.observe(events);
  }
}

/**
 * The index just past the last blank line (`\n\n`, `\r\n\r\n`, `\r\r`, or a mix), or 0 when
 * the bytes hold no complete event. Scans backwards: the end is usually the chunk's end. A
 * blank line that ends in the buffer's last byte as a CR is left for the next chunk to confirm.
 */
export function endOfLastEvent(bytes: Uint8Array): number {
  for (let index = bytes.length - 1; index > 0; index -= 1) {
    const byte = bytes[index];
    if (byte !== NEWLINE && byte !== CARRIAGE_RETURN) continue;
    // A CR as the very last byte may be the first half of a CRLF still on its way.
    if (byte === CARRIAGE_RETURN && index === bytes.length - 1) continue;
    // `index` ends a line; the event ends here when the line it ends is empty.
    let before = index - 1;
    if (byte === NEWLINE && bytes[before] === CARRIAGE_RETURN) before -= 1;
    const previous = bytes[before];
    if (before >= 0 && (previous === NEWLINE || previous === CARRIAGE_RETURN)) return index + 1;
  }
  return 0;
}
