/**
 * @fileoverview endOnShutdown, the wrapper every stream goes through on its way to the client:
 * it passes events through, cuts a pending read at shutdown, and keeps nothing it passed on (a
 * long stream must not hold its whole history until it ends).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { endOnShutdown, shutdownCutError } from '../../src/server/shutdown-cut.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A source whose events are read one at a time, each produced on a later turn of the event loop. */
async function* slowEvents(count: number): AsyncGenerator<{ payload: Buffer }> {
  for (let index = 0; index < count; index += 1) {
    await nextTurn();
    yield { payload: Buffer.alloc(1024) };
  }
}

describe('endOnShutdown', () => {
  it('passes every event through and ends with its source', async () => {
    const received: number[] = [];
    async function* numbers(): AsyncGenerator<number> {
      yield* [1, 2, 3];
    }
    for await (const value of endOnShutdown(numbers(), new AbortController().signal)) received.push(value);
    expect(received).toEqual([1, 2, 3]);
  });

  it('keeps no event it passed on while the stream is still open', async () => {
    const iterator = endOnShutdown(slowEvents(200), new AbortController().signal)[Symbol.asyncIterator]();
    const passedOn: Array<WeakRef<object>> = [];
    for (let index = 0; index < 100; index += 1) {
      const next = await iterator.next();
      if (next.done === true) throw new Error('the source ended early');
      passedOn.push(new WeakRef(next.value));
    }
    // WeakRef targets stay alive until the current job ends.
    await nextTurn();
    collectGarbage();
    expect(passedOn.filter((reference) => reference.deref() !== undefined).length).toBeLessThanOrEqual(1);
    await iterator.return?.();
  });

  it('fails a read still waiting on the source with the shutdown error, and releases the source', async () => {
    const controller = new AbortController();
    let released = false;
    const stalled: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<number>>(() => undefined),
        return: () => {
          released = true;
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    };
    const pending = endOnShutdown(stalled, controller.signal)[Symbol.asyncIterator]().next();
    const cut = shutdownCutError(1_000);
    controller.abort(cut);
    await expect(pending).rejects.toBe(cut);
    expect(released).toBe(true);
  });

  it('lets the source report an abort that is not shutdown (the client left) as it sees fit', async () => {
    const controller = new AbortController();
    async function* failsWhenAborted(): AsyncGenerator<number> {
      yield 1;
      await new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
      throw new Error('source saw the abort');
    }
    const iterator = endOnShutdown(failsWhenAborted(), controller.signal)[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    controller.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('source saw the abort');
  });
});
