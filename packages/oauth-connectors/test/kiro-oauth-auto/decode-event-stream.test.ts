/**
 * The AWS event-stream decoder on frames made by the AWS SDK's own encoder: any split of the
 * bytes, corrupt checksums, impossible lengths and a truncated stream.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { toUtf8 } from '@smithy/util-utf8';
import { decodeEventStream, headerText } from '../../src/kiro-oauth-auto/decode-event-stream.js';
import { eventFrame } from '../support/fake-kiro-upstream.js';

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.slice(offset, offset + size);
}

async function decodeAll(chunks: AsyncIterable<Uint8Array>): Promise<Array<{ type: string | undefined; body: string }>> {
  const messages: Array<{ type: string | undefined; body: string }> = [];
  for await (const message of decodeEventStream(chunks, 'kiro-test')) messages.push({ type: headerText(message, ':event-type'), body: toUtf8(message.body) });
  return messages;
}

async function failureOf(promise: Promise<unknown>): Promise<LlmProxyError> {
  try {
    await promise;
  } catch (error) {
    if (LlmProxyError.is(error)) return error;
    throw error;
  }
  throw new Error('expected decoding to fail');
}

const frames = [eventFrame('assistantResponseEvent', { content: 'Hello' }), eventFrame('toolUseEvent', { name: 'f', toolUseId: 't', input: '{"a":' })];
const stream = Buffer.concat(frames.map((frame) => Buffer.from(frame)));

describe('decodeEventStream', () => {
  it.each([1, 3, 7, 12, 13, 64, stream.byteLength])('decodes the same messages however the bytes are split (%i-byte pieces)', async (size) => {
    expect(await decodeAll(chunksOf(stream, size))).toEqual([
      { type: 'assistantResponseEvent', body: '{"content":"Hello"}' },
      { type: 'toolUseEvent', body: '{"name":"f","toolUseId":"t","input":"{\\"a\\":"}' },
    ]);
  });

  it('a wrong message checksum is a clear error naming the message', async () => {
    const broken = Buffer.from(stream);
    broken.writeUInt8(broken.readUInt8(broken.byteLength - 1) ^ 0xff, broken.byteLength - 1);
    const error = await failureOf(decodeAll(chunksOf(broken, 5)));
    expect(error.code).toBe('KIRO_EVENT_STREAM_CORRUPT');
    expect(error.message).toContain('is corrupt at message 2');
    expect(error.message).toMatch(/checksum/);
  });

  it('a wrong prelude checksum fails as soon as the prelude arrived, before waiting for the declared length', async () => {
    const broken = Buffer.from(frames[0]!);
    broken.writeUInt32BE(0x7fffff, 0); // an absurd length, which also breaks the prelude CRC
    async function* preludeOnly(): AsyncGenerator<Uint8Array> {
      yield broken.subarray(0, 12);
      // A stream that never ends: the error must come from the prelude alone.
      await new Promise(() => {});
    }
    const error = await failureOf(decodeAll(preludeOnly()));
    expect(error.code).toBe('KIRO_EVENT_STREAM_CORRUPT');
    expect(error.message).toContain('prelude checksum');
  });

  it('a stream that ends inside a frame is KIRO_EVENT_STREAM_TRUNCATED', async () => {
    const cut = stream.subarray(0, frames[0]!.byteLength + 10);
    const error = await failureOf(decodeAll(chunksOf(cut, 4)));
    expect(error.code).toBe('KIRO_EVENT_STREAM_TRUNCATED');
    expect(error.message).toContain(`ended in the middle of message 2: 10 of ${frames[1]!.byteLength} bytes arrived`);
  });
});
