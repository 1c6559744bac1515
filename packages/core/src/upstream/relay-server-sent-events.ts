/**
 * @fileoverview Relays a server-sent event stream as the upstream sent it, cut at event
 * boundaries, under the same guards as parseServerSentEvents (event size, first-content and
 * idle deadlines). Nothing is decoded or re-framed: a chunk's bytes up to its last blank line go
 * out as they are, and the bytes of an unfinished event wait for the rest of it, so an error the
 * proxy adds later (a deadline, shutdown) always starts on a fresh event.
 */
import type { RelayWatch } from '@llmproxy/connector-sdk';
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
 * when the body ends is still delivered (some upstreams omit the final blank line).
 */
export async function* relayServerSentEvents(
  chunks: AsyncIterable<Uint8Array>,
  guards: SseGuards,
  watch?: RelayWatch,
): AsyncGenerator<Uint8Array> {
  const deadline = new ContentDeadline(guards);
  const marker = watch === undefined ? undefined : markerBytes(watch.marker);
  // The bytes of an unfinished event, kept as received: joining them on every chunk would copy
  // an event trickled in small pieces over and over.
  let pending: Buffer[] = [];
  let pendingLength = 0;
  try {
    deadline.start();
    for await (const received of chunks) {
      const chunk = Buffer.isBuffer(received) ? received : Buffer.from(received.buffer, received.byteOffset, received.byteLength);
      // A blank line may straddle the previous chunk and this one: the last bytes before it count.
      const tail = pendingLength === 0 ? undefined : Buffer.concat(pending.slice(-3)).subarray(-3);
      const end = tail === undefined ? endOfLastEvent(chunk) : endOfLastEvent(Buffer.concat([tail, chunk])) - tail.length;
      if (end <= 0) {
        pending.push(chunk);
        pendingLength += chunk.length;
        if (pendingLength > guards.maxEventBytes) {
          deadline.stop();
          throw guards.trip('event-size');
        }
        continue;
      }
      const events = pendingLength === 0 ? chunk.subarray(0, end) : Buffer.concat([...pending, chunk.subarray(0, end)]);
      const rest = chunk.subarray(end);
      pending = rest.length === 0 ? [] : [rest];
      pendingLength = rest.length;
      if (marker !== undefined && events.includes(marker)) watch?.observe(events);
      // Only events with data restart the idle clock, as in parseServerSentEvents.
      if (!events.includes(DATA_FIELD)) {
        yield events;
        continue;
      }
      deadline.pause();
      yield events;
      deadline.start();
    }
  } finally {
    deadline.stop();
  }
  if (pendingLength > 0) {
    const rest = Buffer.concat(pending);
    if (marker !== undefined && rest.includes(marker)) watch?.observe(rest);
    yield rest;
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
