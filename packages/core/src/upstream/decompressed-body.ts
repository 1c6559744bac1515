/**
 * @fileoverview The body of an upstream response as plain bytes: gzip, deflate (zlib-wrapped or
 * raw) and brotli bodies are decompressed as they stream; anything else passes through as is.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, pipeline, type Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';

/** The `accept-encoding` the client sends: exactly what {@link decompressedBody} can decode. */
export const ACCEPTED_ENCODINGS = 'gzip, deflate, br';

const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/**
 * Returns `response` itself when its body is not encoded, or a stream of the decoded bytes.
 * Errors of the response (a reset, a destroy) and of the decoder reach the returned stream.
 */
export function decompressedBody(response: IncomingMessage): Readable {
  const header = response.headers['content-encoding'];
  const encoding = typeof header === 'string' ? header.trim().toLowerCase() : '';
  if (!DECODABLE.has(encoding)) return response;

  const output = new PassThrough();
  let decoding = false;
  // The decoder is chosen on the first chunk: raw deflate and zlib-wrapped deflate share a
  // name, and an empty body (e.g. 204 with content-encoding) has nothing to decode at all.
  response.once('data', (first: Buffer) => {
    decoding = true;
    response.pause();
    response.unshift(first);
    pipeline(response, decoderFor(encoding, first), output, (error) => {
      if (error !== undefined && error !== null) output.destroy(error);
    });
  });
  response.once('end', () => {
    if (!decoding) output.end();
  });
  response.once('error', (error) => output.destroy(error));
  response.once('close', () => {
    // A body cut off before its first chunk, without an error of its own, must still end the reader.
    if (!decoding && !response.readableEnded) output.destroy(Object.assign(new Error('The response body was cut off'), { code: 'ECONNRESET' }));
  });
  return output;
}

function decoderFor(encoding: string, first: Buffer): Transform {
  if (encoding === 'br') return zlib.createBrotliDecompress();
  // A zlib header's first byte has 0x8 (deflate) in its low nibble; raw deflate usually not.
  if (encoding === 'deflate' && first.length > 0 && ((first[0] ?? 0) & 0x0f) !== 0x08) return zlib.createInflateRaw();
  return zlib.createUnzip();
}
