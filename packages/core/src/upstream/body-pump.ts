/**
 * @fileoverview A response body's pieces pushed to a consumer as they arrive, the push twin of
 * readBodyChunks: the same hooks (failure, early stop, cutter), with the consumer called from
 * the body's 'data' events instead of asking through an async iterator.
 *
 * Why: an async iterator keeps a pending read (a promise, its resolvers and the waiting state)
 * per open stream, renewed with every event. Between events those are young objects that every
 * young-generation collection copies, and promotes after two: with 400 slow streams each
 * collection promoted about 180 KB, and the collections came about every 1 MB of allocation. A
 * pushed stream holds only its listeners between events.
 */
import type { Readable } from 'node:stream';
import type { BodyChunkHooks } from './body-chunks.js';

/**
 * Takes one piece. A promise back is the consumer's backpressure: the body is paused (and the
 * cutter's idle clock with it) until the promise settles.
 */
export type PieceTaker = (piece: Buffer) => Promise<void> | undefined;

export interface BodyPump {
  /**
   * Settles when every piece was taken and the body ended, or after stop(); rejects with the
   * hooks' failure for a body that failed or closed before its end, the cutter's error, or the
   * error the taker threw.
   */
  readonly done: Promise<void>;
  /** Stops before the end (the consumer left): the body is released through the hooks' stoppedEarly. */
  stop(): void;
}

export function pumpBodyChunks(body: Readable, hooks: BodyChunkHooks, take: PieceTaker): BodyPump {
  return new BodyChunkPump(body, hooks, take);
}

class BodyChunkPump implements BodyPump {
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  #finished = false;

  constructor(
    private readonly body: Readable,
    private readonly hooks: BodyChunkHooks,
    private readonly take: PieceTaker,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    body.on('data', this.#onData);
    body.once('end', this.#onEnd);
    body.on('error', this.#onError);
    body.once('close', this.#onClose);
  }

  stop(): void {
    if (this.#finished) return;
    this.#finish();
    this.hooks.stoppedEarly();
    this.#resolve();
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#finished) return;
    const { cutter } = this.hooks;
    if (cutter === undefined) {
      this.#pass(chunk);
      return;
    }
    let piece: Buffer | undefined;
    try {
      piece = cutter.take(chunk);
    } catch (error) {
      // The cutter's error is already the client's (a limit it tripped, which destroys the body).
      this.#fail(error);
      return;
    }
    if (piece !== undefined) this.#pass(piece);
  };

  #pass(piece: Buffer): void {
    const { cutter } = this.hooks;
    let wait: Promise<void> | undefined;
    try {
      wait = this.take(piece);
    } catch (error) {
      this.#consumerFailed(error);
      return;
    }
    if (wait === undefined) {
      cutter?.taken(piece);
      return;
    }
    // Held: the idle clock waits for the consumer, as for a reader that has not asked again.
    cutter?.delivered(piece);
    this.body.pause();
    wait.then(
      () => {
        if (this.#finished) return;
        cutter?.asked();
        this.body.resume();
      },
      (error: unknown) => this.#consumerFailed(error),
    );
  }

  readonly #onEnd = (): void => {
    if (this.#finished) return;
    // Some upstreams omit the final blank line: the unfinished event still goes out, last.
    const rest = this.hooks.cutter?.rest();
    if (rest !== undefined) {
      try {
        // The end is not held back for the consumer's backpressure: its writes are queued in order.
        void this.take(rest);
      } catch (error) {
        this.#fail(error);
        return;
      }
    }
    this.#finish();
    this.#resolve();
  };

  readonly #onError = (error: unknown): void => {
    if (!this.#finished) this.#fail(this.hooks.failure(error));
  };

  readonly #onClose = (): void => {
    // Closed without its end or an error of its own (a destroy()): cut off, as Node's iterator says.
    if (!this.#finished && !this.body.readableEnded) {
      this.#onError(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    }
  };

  /** The taker failed: nobody reads the rest, so the body is released as after an early stop. */
  #consumerFailed(error: unknown): void {
    if (this.#finished) return;
    this.#finish();
    this.hooks.stoppedEarly();
    this.#reject(error);
  }

  #fail(error: unknown): void {
    this.#finish();
    this.#reject(error);
  }

  #finish(): void {
    this.#finished = true;
    this.hooks.cutter?.finished();
    this.body.off('data', this.#onData);
    this.body.off('end', this.#onEnd);
    this.body.off('error', this.#onError);
    this.body.off('close', this.#onClose);
    // The body may still fail (a drain after an early stop, a limit's cut): nobody reads it any more.
    this.body.on('error', ignore);
  }
}

function ignore(): void {}
