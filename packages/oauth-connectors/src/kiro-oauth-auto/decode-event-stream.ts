/**
 * @fileoverview The AWS binary event-stream format (`application/vnd.amazon.eventstream`), read
 * incrementally from a byte stream. Each message is a frame: a 12-byte prelude (total length,
 * headers length, prelude CRC32), headers, payload, and a CRC32 of the whole message. The frames
 * are decoded and both checksums verified by the AWS SDK's own codec (`EventStreamCodec`); this
 * module only collects the bytes of each frame, however the network splits them.
 *
 * A corrupt frame (a checksum that does not match, a length that cannot be) or a stream that
 * ends in the middle of a frame is an error that names what went wrong, so the client's stream
 * ends with it instead of waiting for bytes that will never make sense.
 */
import { crc32 } from 'node:zlib';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { EventStreamCodec, Message } from '@smithy/eventstream-codec';

/**
 * The AWS SDK's codec pulls in @smithy/core (several MB once loaded), which a proxy without a
 * Kiro backend never needs, so it is imported on the first Kiro stream. It is resolved here, so
 * an install without it still fails when the connector is loaded, as a static import did.
 */
import.meta.resolve('@smithy/eventstream-codec');
let loadingCodec: Promise<typeof EventStreamCodec> | undefined;

const PRELUDE_BYTES = 12;
/** Prelude, message CRC: the smallest possible message. */
const MINIMUM_MESSAGE_BYTES = 16;
/** The event-stream specification's limit for one message. */
const MAXIMUM_MESSAGE_BYTES = 16 * 1024 * 1024;

export type EventStreamMessage = Message;

/** Yields each message of the stream as soon as its last byte arrived. */
export async function* decodeEventStream(chunks: AsyncIterable<Uint8Array>, backendName: string): AsyncGenerator<EventStreamMessage> {
  loadingCodec ??= import('@smithy/eventstream-codec').then((codecModule) => codecModule.EventStreamCodec);
  const Codec = await loadingCodec;
  const codec = new Codec(toUtf8, fromUtf8);
  let buffered: Uint8Array = new Uint8Array(0);
  let frame = 0;
  for await (const chunk of chunks) {
    buffered = concatenated(buffered, chunk);
    for (;;) {
      if (buffered.byteLength < PRELUDE_BYTES) break;
      const view = new DataView(buffered.buffer, buffered.byteOffset, buffered.byteLength);
      const totalLength = view.getUint32(0, false);
      // Checked before waiting for the rest: a corrupt length must not make the stream wait forever.
      if (crc32(buffered.subarray(0, 8)) !== view.getUint32(8, false)) {
        throw corruptStream(backendName, frame + 1, 'its prelude checksum (CRC32) does not match');
      }
      if (totalLength < MINIMUM_MESSAGE_BYTES || totalLength > MAXIMUM_MESSAGE_BYTES) {
        throw corruptStream(backendName, frame + 1, `it declares an impossible length of ${totalLength} bytes`);
      }
      if (buffered.byteLength < totalLength) break;
      frame += 1;
      let message: EventStreamMessage;
      try {
        message = codec.decode(buffered.subarray(0, totalLength));
      } catch (error) {
        throw corruptStream(backendName, frame, (error as Error).message);
      }
      buffered = buffered.subarray(totalLength);
      yield message;
    }
  }
  if (buffered.byteLength > 0) {
    const declared = buffered.byteLength >= 4 ? new DataView(buffered.buffer, buffered.byteOffset, 4).getUint32(0, false) : undefined;
    throw new LlmProxyError({
      code: 'KIRO_EVENT_STREAM_TRUNCATED',
      message: `The event stream from Kiro (backend ${backendName}) ended in the middle of message ${frame + 1}: ${buffered.byteLength} of ${declared ?? 'at least 12'} bytes arrived`,
      fix: 'Retry the request; if it keeps happening, check the network path to Kiro',
      httpStatus: 502,
      details: { backend: backendName },
    });
  }
}

/** A header's value as text (event-stream headers are typed; the ones read here are strings). */
export function headerText(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers[name];
  if (header === undefined) return undefined;
  return typeof header.value === 'string' ? header.value : String(header.value);
}

/** A message's payload as text (Kiro's payloads are UTF-8 JSON). */
export function payloadText(message: EventStreamMessage): string {
  return toUtf8(message.body);
}

function corruptStream(backendName: string, frame: number, problem: string): LlmProxyError {
  return new LlmProxyError({
    code: 'KIRO_EVENT_STREAM_CORRUPT',
    message: `The event stream from Kiro (backend ${backendName}) is corrupt at message ${frame}: ${problem}`,
    fix: 'Retry the request; if it keeps happening, check for a proxy or network device altering the response',
    httpStatus: 502,
    details: { backend: backendName },
  });
}

function concatenated(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.byteLength === 0) return tail;
  const joined = new Uint8Array(head.byteLength + tail.byteLength);
  joined.set(head, 0);
  joined.set(tail, head.byteLength);
  return joined;
}

function toUtf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function fromUtf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}
