/**
 * @fileoverview Writes server-sent event frames to the client as they are produced: each frame
 * written when it arrives, and the producer paused while the socket's buffer is full, so a
 * slow client slows the upstream read instead of filling memory.
 *
 * The stream begins with its first frame: the status line and SSE headers go out together with
 * it, so a failure before that (the upstream refusing, timing out or breaking before its first
 * event) still reaches the client as a proper HTTP error response.
 */
import type { Response } from 'express';
import type { UpstreamTiming } from '../upstream/upstream-timing.js';
import { countAsUpstreamWait } from './count-as-upstream-wait.js';

/**
 * Sends `frames` as a `text/event-stream` response and ends it; stops early if the client left.
 * Time spent waiting for the first frame is waiting on the upstream's first event, so it is
 * counted in `upstreamTiming`.
 */
export async function sendEventStream(
  response: Response,
  frames: AsyncIterable<string>,
  upstreamTiming: UpstreamTiming | undefined,
): Promise<void> {
  let clientGone = false;
  response.once('close', () => {
    clientGone = true;
  });
  const iterator = frames[Symbol.asyncIterator]();
  let next = await countAsUpstreamWait(upstreamTiming, () => iterator.next());
  response.status(200);
  response.setHeader('content-type', 'text/event-stream; charset=utf-8');
  response.setHeader('cache-control', 'no-cache');
  response.setHeader('x-accel-buffering', 'no');
  try {
    while (next.done !== true && !clientGone) {
      if (!response.write(next.value) && !clientGone) await writable(response);
      if (clientGone) break;
      next = await iterator.next();
    }
  } finally {
    // Stopping early releases the upstream stream behind the frames.
    if (next.done !== true) await iterator.return?.();
  }
  if (!clientGone) response.end();
}

/** Resolves when the response can take more data, or when it closed. */
export function writable(response: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
