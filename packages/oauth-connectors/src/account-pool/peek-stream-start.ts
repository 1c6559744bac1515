/**
 * @fileoverview Looks into a canonical event stream until its first output (any event after
 * `response-start`) before the stream is handed to the client. An upstream that fails inside a
 * 200 answer (a quota error as the first stream event, an exception frame) fails here, while a
 * pool can still hand the request to another account; once output arrived, the stream is
 * returned whole (what was read, then the rest) and nothing is retried.
 */
import type { ChatEvent } from '@llmproxy/connector-sdk';

export async function peekStreamStart(events: AsyncIterable<ChatEvent>): Promise<AsyncIterable<ChatEvent>> {
  const iterator = events[Symbol.asyncIterator]();
  const read: ChatEvent[] = [];
  let ended = false;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    read.push(next.value);
    if (next.value.type !== 'response-start') break;
  }
  return replay(read, ended ? undefined : iterator);
}

async function* replay(read: readonly ChatEvent[], rest: AsyncIterator<ChatEvent> | undefined): AsyncGenerator<ChatEvent> {
  let finished = rest === undefined;
  try {
    yield* read;
    if (rest === undefined) return;
    for (;;) {
      const next = await rest.next();
      if (next.done === true) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A client that stops early releases the upstream stream behind it.
    if (!finished) await rest?.return?.();
  }
}
