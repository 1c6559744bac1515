import { describe, expect, it } from '@jest/globals';
import type { ServerSentEvent } from '@llmproxy/connector-sdk';
import { parseServerSentEvents } from '../../src/upstream/parse-server-sent-events.js';

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
