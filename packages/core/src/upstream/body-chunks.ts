/**
 * @fileoverview A response body's chunks as an async iterator, for the upstream client's stream
 * readers. Each read returns what the body has buffered, as `Readable.iterator()` does, or with a
 * {@link ChunkCutter} the next piece it cuts (whole server-sent events for a relay).
 *
 * Why not `Readable.iterator()` wrapped in an async generator, as before: Node's iterator is
 * itself an async generator over end-of-stream listeners, and with the wrapper they held about
 * 2.3 KB per open stream (live-heap sampling of 200 open streams); this reader holds four
 * listeners and one pending read. It is read by one consumer at a time (`for await`).
 */
import type { Readable } from 'node:stream';

export interface BodyChunkHooks {
  /** The error the reader throws for a body that failed, or closed before its end. */
  failure(error: unknown): unknown;
  /** Called once when the consumer stops before the body ended or failed. */
  stoppedEarly(): void;
  /** Cuts what is read into the pieces delivered (whole server-sent events, say); without it, chunks as read. */
  cutter?: ChunkCutter;
}

/**
 * Turns the chunks read into the pieces the reader delivers, in the reader itself rather than in
 * another async iterator around it: each layer is a pending promise per open stream, renewed
 * with every event.
 */
export interface ChunkCutter {
  /** The part of `chunk` to deliver now, or undefined to read on. Throws to fail the reader. */
  take(chunk: Buffer): Buffer | undefined;
  /** What is left when the body ends, delivered last. */
  rest(): Buffer | undefined;
  /** The consumer asks for the next piece. */
  asked(): void;
  /** The consumer was handed `piece`. */
  delivered(piece: Buffer): void;
  /** A pushed consumer (body-pump.ts) took `piece` at once, without holding it. */
  taken(piece: Buffer): void;
  /** The reader is done: ended, failed or stopped. */
  finished(): void;
}

export function readBodyChunks(body: Readable, hooks: BodyChunkHooks): AsyncIterableIterator<Buffer> {
  return new BodyChunkReader(body, hooks);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

class BodyChunkReader implements AsyncIterableIterator<Buffer> {
  #waiting: { resolve(result: IteratorResult<Buffer>): void; reject(error: unknown): void } | undefined;
  #ended = false;
  #failed = false;
  #failure: unknown;
  #finished = false;

  constructor(
    private readonly body: Readable,
    private readonly hooks: BodyChunkHooks,
  ) {
    body.on('readable', this.#settle);
    body.once('end', this.#onEnd);
    body.on('error', this.#onError);
    body.once('close', this.#onClose);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (!this.#finished) this.hooks.cutter?.asked();
    const result = this.#poll();
    if (result === undefined) return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
    return result instanceof Failure ? Promise.reject(result.error) : Promise.resolve(result);
  }

  return(): Promise<IteratorResult<Buffer>> {
    if (!this.#finished) {
      this.#finish();
      this.hooks.stoppedEarly();
    }
    return Promise.resolve(DONE);
  }

  /** A piece, the end, the failure, or undefined while the body has nothing (whole) yet. */
  #poll(): IteratorResult<Buffer> | Failure | undefined {
    if (this.#finished) return DONE;
    const { cutter } = this.hooks;
    for (;;) {
      // A destroyed body's buffered bytes are not delivered: its failure is.
      const chunk = this.body.destroyed ? null : (this.body.read() as Buffer | null);
      if (chunk === null) break;
      if (cutter === undefined) return { done: false, value: chunk };
      let piece: Buffer | undefined;
      try {
        piece = cutter.take(chunk);
      } catch (error) {
        this.#failed = true;
        this.#failure = error;
        break;
      }
      if (piece !== undefined) return this.#deliver(piece);
    }
    if (this.#failed) {
      this.#finish();
      return new Failure(this.#failure);
    }
    if (this.#ended) {
      const rest = cutter?.rest();
      if (rest !== undefined) return this.#deliver(rest);
      this.#finish();
      return DONE;
    }
    return undefined;
  }

  #deliver(piece: Buffer): IteratorResult<Buffer> {
    this.hooks.cutter?.delivered(piece);
    return { done: false, value: piece };
  }

  readonly #settle = (): void => {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    const result = this.#poll();
    if (result === undefined) return;
    this.#waiting = undefined;
    if (result instanceof Failure) waiting.reject(result.error);
    else waiting.resolve(result);
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#settle();
  };

  readonly #onError = (error: unknown): void => {
    if (!this.#failed) {
      this.#failed = true;
      this.#failure = this.hooks.failure(error);
    }
    this.#settle();
  };

  readonly #onClose = (): void => {
    // Closed without its end or an error of its own (a destroy()): cut off, as Node's iterator says.
    if (!this.#ended && !this.body.readableEnded && !this.#failed) {
      this.#onError(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    }
  };

  #finish(): void {
    this.#finished = true;
    this.hooks.cutter?.finished();
    this.body.off('readable', this.#settle);
    this.body.off('end', this.#onEnd);
    this.body.off('error', this.#onError);
    this.body.off('close', this.#onClose);
    // The body may still fail (a drain after an early stop, a limit's cut): nobody reads it any more.
    this.body.on('error', ignore);
  }
}

class Failure {
  constructor(readonly error: unknown) {}
}

function ignore(): void {}
