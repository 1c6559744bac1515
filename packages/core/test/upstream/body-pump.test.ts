import { describe, expect, it, jest } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { pumpBodyChunks } from '../../src/upstream/body-pump.js';
import { SseRelayCutter } from '../../src/upstream/relay-server-sent-events.js';
import { recordedHooks, smallGuards } from '../support/recorded-body-hooks.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('pumpBodyChunks', () => {
  it('hands over whole events as they arrive, an event split across chunks whole, the unfinished last one at the end, and then resolves', async () => {
    const body = new PassThrough();
    const taken: string[] = [];
    const observed: string[] = [];
    const cutter = new SseRelayCutter(smallGuards(), { marker: '"usage"', observe: (events) => observed.push(Buffer.from(events).toString()) });
    const pump = pumpBodyChunks(body, { ...recordedHooks(), cutter }, (piece) => {
      taken.push(piece.toString());
      return undefined;
    });
    body.write('data: a\n\ndata: b');
    await tick();
    expect(taken).toEqual(['data: a\n\n']);
    body.write('\n\n');
    await tick();
    expect(taken).toEqual(['data: a\n\n', 'data: b\n\n']);
    body.end('data: {"usage":{}}');
    await expect(pump.done).resolves.toBeUndefined();
    expect(taken).toEqual(['data: a\n\n', 'data: b\n\n', 'data: {"usage":{}}']);
    expect(observed).toEqual(['data: {"usage":{}}']);
    expect(body.listenerCount('data')).toBe(0);
    expect(body.listenerCount('close')).toBe(0);
  });

  it('pauses the body while the consumer\'s promise is pending and goes on when it settles', async () => {
    const body = new PassThrough();
    const taken: string[] = [];
    let release: () => void = () => undefined;
    const pump = pumpBodyChunks(body, recordedHooks(), (piece) => {
      taken.push(piece.toString());
      return taken.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : undefined;
    });
    body.write('one');
    await tick();
    body.end('two');
    await tick();
    expect(taken).toEqual(['one']);
    expect(body.isPaused()).toBe(true);
    release();
    await expect(pump.done).resolves.toBeUndefined();
    expect(taken).toEqual(['one', 'two']);
  });

  it('rejects with the hook\'s failure for a body that fails, and with a premature close for one destroyed before its end', async () => {
    const failing = new PassThrough();
    const recorded = recordedHooks();
    const failed = pumpBodyChunks(failing, recorded, () => undefined);
    failing.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(failed.done).rejects.toThrow('wrapped: socket hang up');
    expect(recorded.stops).toBe(0);

    const cut = new PassThrough();
    const cutHooks = recordedHooks();
    const closed = pumpBodyChunks(cut, cutHooks, () => undefined);
    cut.write('partial');
    await tick();
    cut.destroy();
    await expect(closed.done).rejects.toThrow('wrapped: Premature close');
    expect((cutHooks.failures[0] as { code?: string }).code).toBe('ERR_STREAM_PREMATURE_CLOSE');
  });

  it('releases the body once on stop(), takes nothing more, and a later failure of the body goes nowhere', async () => {
    const body = new PassThrough();
    const recorded = recordedHooks();
    const taken: string[] = [];
    const pump = pumpBodyChunks(body, recorded, (piece) => {
      taken.push(piece.toString());
      return undefined;
    });
    body.write('first');
    await tick();
    pump.stop();
    pump.stop();
    await expect(pump.done).resolves.toBeUndefined();
    body.write('second');
    const uncaught = jest.fn();
    process.once('uncaughtException', uncaught);
    body.destroy(new Error('after the consumer left'));
    await tick();
    process.removeListener('uncaughtException', uncaught);
    expect(uncaught).not.toHaveBeenCalled();
    expect(taken).toEqual(['first']);
    expect(recorded.stops).toBe(1);
    expect(recorded.failures).toHaveLength(0);
  });

  it('rejects with what the consumer threw and releases the body', async () => {
    const body = new PassThrough();
    const recorded = recordedHooks();
    const pump = pumpBodyChunks(body, recorded, () => {
      throw new Error('the client socket broke');
    });
    body.write('event');
    await expect(pump.done).rejects.toThrow('the client socket broke');
    expect(recorded.stops).toBe(1);
  });

  it('rejects with the cutter\'s limit error when one event outgrows it', async () => {
    const body = new PassThrough();
    const limitError = new Error('event too large');
    const cutter = new SseRelayCutter(smallGuards({ trip: () => { body.destroy(limitError); return limitError; } }));
    const pump = pumpBodyChunks(body, { ...recordedHooks(), cutter }, () => undefined);
    body.write(`data: ${'x'.repeat(100)}`);
    await expect(pump.done).rejects.toBe(limitError);
  });

  it('restarts the idle clock on one timer for events taken at once, and holds it while the consumer holds an event', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const body = new PassThrough();
      const tripped: string[] = [];
      const cutter = new SseRelayCutter(smallGuards({ idleTimeoutMs: 1_000, trip: (kind) => { tripped.push(kind); return new Error(kind); } }));
      let release: () => void = () => undefined;
      let hold = false;
      const pump = pumpBodyChunks(body, { ...recordedHooks(), cutter }, () => (hold ? new Promise<void>((resolve) => (release = resolve)) : undefined));
      void pump.done.catch(() => undefined);
      body.write('data: a\n\n');
      await tick();
      const newTimers = jest.spyOn(globalThis, 'setTimeout');
      for (let event = 0; event < 5; event += 1) {
        jest.advanceTimersByTime(900);
        body.write('data: b\n\n');
        await tick();
      }
      // Each event restarted the clock (no trip after 4.5 s of 0.9 s gaps) without a timer of its own.
      expect(tripped).toEqual([]);
      expect(newTimers).not.toHaveBeenCalled();
      newTimers.mockRestore();
      hold = true;
      body.write('data: held\n\n');
      await tick();
      jest.advanceTimersByTime(5_000);
      expect(tripped).toEqual([]);
      release();
      await tick();
      jest.advanceTimersByTime(1_001);
      expect(tripped).toEqual(['idle']);
    } finally {
      jest.useRealTimers();
    }
  });
});
