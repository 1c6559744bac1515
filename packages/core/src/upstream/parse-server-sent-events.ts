/**
 * @fileoverview Turns a byte stream into server-sent events as they arrive, with
 * eventsource-parser doing the framing (CRLF, multi-line data, comments, BOM).
 */
import { createParser } from 'eventsource-parser';
import type { ServerSentEvent } from '@llmproxy/connector-sdk';

/**
 * Yields each event as soon as its terminating blank line arrived. An event left incomplete
 * when the body ends is still delivered: some upstreams omit the final blank line after
 * `data: [DONE]`.
 */
export async function* parseServerSentEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let parsed: ServerSentEvent[] = [];
  const parser = createParser({
    onEvent(event) {
      parsed.push(event);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (parsed.length > 0) {
      // Swap before yielding: the consumer may take its time, and the parser only fills the
      // array during feed().
      const ready = parsed;
      parsed = [];
      yield* ready;
    }
  }
  parser.feed(`${decoder.decode()}\n\n`);
  yield* parsed;
}
