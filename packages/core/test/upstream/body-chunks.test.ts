import { describe, expect, it, jest } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { readBodyChunks } from '../../src/upstream/body-chunks.js';
import { SseRelayCutter } from '../../src/upstream/relay-server-sent-events.js';
import { recordedHooks, smallGuards } from '../support/recorded-body-hooks.js';

async function collect(chunks: AsyncIterable<Buffer>): Promise<string[]> {
  const seen: string[] = [];
  for await (const chunk of chunks) seen.push(chunk.toString());
  return seen;
}

describe('readBodyChunks', () => {
  it('yields what the body buffered, waits for more, and ends with the body', async () => {
    const body = new PassThrough();
    const reader = readBodyChunks(body, recordedHooks());
    body.write('a');
    body.write('b');
    // Both writes were buffered before the first read: one chunk, as Readable.iterator() gives.
    await expect(reader.next()).resolves.toEqual({ done: false, value: Buffer.from('ab') });
    const pending = reader.next();
    setImmediate(() => body.end('c'));
    await expect(pending).resolves.toEqual({ done: false, value: Buffer.from('c') });
    await expect(reader.next()).resolves.toEqual({ done: true, value: undefined });
    expect(body.listenerCount('readable')).toBe(0);
    expect(body.listenerCount('close')).toBe(0);
  });

  it('throws the hook\'s failure for a body that fails, once, and is done after it', async () => {
    const body = new PassThrough();
    const recorded = recordedHooks();
    const reader = readBodyChunks(body, recorded);
    const pending = reader.next();
    body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(pending).rejects.toThrow('wrapped: socket hang up');
    await expect(reader.next()).resolves.toEqual({ done: true, value: undefined });
    expect(recorded.failures).toHaveLength(1);
    expect(recorded.stops).toBe(0);
  });

  it('reports a body closed before its end as a premature close', async () => {
    const body = new PassThrough();
    const recorded = recordedHooks();
    const reader = readBodyChunks(body, recorded);
    body.write('partial');
    await expect(reader.next()).resolves.toEqual({ done: false, value: Buffer.from('partial') });
    const pending = reader.next();
    body.destroy();
    await expect(pending).rejects.toThrow('wrapped: Premature close');
    expect((recorded.failures[0] as { code?: string }).code).toBe('ERR_STREAM_PREMATURE_CLOSE');
  });

  it('tells the hook once when the consumer stops early, and a later failure of the body is not thrown anywhere', async () => {
    const body = new PassThrough();
    const recorded = recordedHooks();
    body.write('first');
    const seen: string[] = [];
    for await (const chunk of readBodyChunks(body, recorded)) {
      seen.push(chunk.toString());
      break;
    }
    expect(seen).toEqual(['first']);
    expect(recorded.stops).toBe(1);
    const uncaught = jest.fn();
    process.once('uncaughtException', uncaught);
    body.destroy(new Error('after the reader left'));
    await new Promise((resolve) => setImmediate(resolve));
    process.removeListener('uncaughtException', uncaught);
    expect(uncaught).not.toHaveBeenCalled();
    expect(recorded.failures).toHaveLength(0);
  });

  it('does not call the early-stop hook for a body read to its end', async () => {
    const body = new PassThrough();
    const recorded = recordedHooks();
    body.end('whole');
    await expect(collect(readBodyChunks(body, recorded))).resolves.toEqual(['whole']);
    expect(recorded.stops).toBe(0);
  });

  describe('with the server-sent event cutter', () => {
    it('delivers whole events only, an event split across reads whole, and an unfinished last event at the end', async () => {
      const body = new PassThrough();
      const observed: string[] = [];
      const reader = readBodyChunks(body, { ...recordedHooks(), cutter: new SseRelayCutter(smallGuards(), { marker: '"usage"', observe: (events) => observed.push(Buffer.from(events).toString()) }) });
      body.write('data: a\n\ndata: b');
      await expect(reader.next()).resolves.toEqual({ done: false, value: Buffer.from('data: a\n\n') });
      const pending = reader.next();
      setImmediate(() => body.write('\n\n'));
      await expect(pending).resolves.toEqual({ done: false, value: Buffer.from('data: b\n\n') });
      body.end('data: {"usage":{}}');
      await expect(reader.next()).resolves.toEqual({ done: false, value: Buffer.from('data: {"usage":{}}') });
      await expect(reader.next()).resolves.toEqual({ done: true, value: undefined });
      expect(observed).toEqual(['data: {"usage":{}}']);
    });

    it('fails with the limit\'s error when one event outgrows it, and the body\'s own error afterwards goes nowhere', async () => {
      const body = new PassThrough();
      const limitError = new Error('event too large');
      const reader = readBodyChunks(body, { ...recordedHooks(), cutter: new SseRelayCutter(smallGuards({ trip: () => { body.destroy(limitError); return limitError; } })) });
      body.write(`data: ${'x'.repeat(100)}`);
      const uncaught = jest.fn();
      process.once('uncaughtException', uncaught);
      await expect(reader.next()).rejects.toBe(limitError);
      await new Promise((resolve) => setImmediate(resolve));
      process.removeListener('uncaughtException', uncaught);
      expect(uncaught).not.toHaveBeenCalled();
    });

    it('runs the idle clock only while the reader waits for bytes, not while the consumer holds an event', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      try {
        const body = new PassThrough();
        const tripped: string[] = [];
        const reader = readBodyChunks(body, { ...recordedHooks(), cutter: new SseRelayCutter(smallGuards({ idleTimeoutMs: 1_000, trip: (kind) => { tripped.push(kind); return new Error(kind); } })) });
        body.write('data: a\n\n');
        await reader.next();
        // The consumer holds the event for longer than the idle timeout: no trip.
        jest.advanceTimersByTime(5_000);
        expect(tripped).toEqual([]);
        void reader.next().catch(() => undefined);
        jest.advanceTimersByTime(1_001);
        expect(tripped).toEqual(['idle']);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
