/**
 * @fileoverview Replays a recorded upstream stream (`<name>.chunks.txt`: the response body as
 * the upstream sent it, byte for byte) through a stream reader, and compares what the reader
 * made of it with `<name>.events.json` beside it: the canonical events, or the error the
 * reader threw. The body is fed in small slices so SSE framing across network reads is
 * exercised too. `LLMPROXY_UPDATE_GOLDEN=1` writes the expectations instead (review the diff).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatEvent } from '@llmproxy/connector-sdk';
import { GoldenNormalizer } from '../e2e/golden-fixtures.js';

const UPDATING = process.env['LLMPROXY_UPDATE_GOLDEN'] === '1';
/** Small and odd, so events and even CRLF pairs are split across reads. */
const SLICE_BYTES = 7;

/** The recorded streams in a folder, by name. */
export function recordedStreamNames(directory: string): string[] {
  return fs
    .readdirSync(directory)
    .filter((file) => file.endsWith('.chunks.txt'))
    .map((file) => file.slice(0, -'.chunks.txt'.length))
    .sort();
}

/** The recorded body, in slices of a few bytes, as a network read would deliver it. */
export async function* recordedBody(directory: string, name: string): AsyncGenerator<Uint8Array> {
  const body = fs.readFileSync(path.join(directory, `${name}.chunks.txt`));
  for (let offset = 0; offset < body.length; offset += SLICE_BYTES) {
    await Promise.resolve();
    yield body.subarray(offset, offset + SLICE_BYTES);
  }
}

/** What a reader made of a stream: its events, and the error that ended it, if any. */
export interface ReadOutcome {
  events: ChatEvent[];
  error?: { code: string; message: string; httpStatus: number; upstream?: unknown };
}

export async function readAll(events: AsyncIterable<ChatEvent>): Promise<ReadOutcome> {
  const read: ChatEvent[] = [];
  try {
    for await (const event of events) read.push(event);
    return { events: read };
  } catch (error) {
    if (!LlmProxyError.is(error)) throw error;
    const upstream = (error as { upstreamError?: unknown }).upstreamError;
    return {
      events: read,
      error: { code: error.code, message: error.summary, httpStatus: error.httpStatus, ...(upstream === undefined ? {} : { upstream }) },
    };
  }
}

/** Compares an outcome with `<name>.events.json`, or writes it when updating. */
export function expectRecordedOutcome(directory: string, name: string, outcome: ReadOutcome): void {
  const file = path.join(directory, `${name}.events.json`);
  const actual = new GoldenNormalizer().normalize(outcome);
  if (UPDATING) {
    fs.writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`No expectation ${file}: run with LLMPROXY_UPDATE_GOLDEN=1 and review it`);
  expect(actual).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
}
