/**
 * @fileoverview Bounds plugin initialisation (imports, `create()`) so that one plugin that
 * never settles cannot hold up startup. The work itself cannot be cancelled; it is abandoned.
 */

/** Thrown by {@link withTimeout} when the work did not settle in time. */
export class TimeoutExceededError extends Error {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`did not finish within ${timeoutMs} ms`);
    this.name = 'TimeoutExceededError';
    this.timeoutMs = timeoutMs;
  }
}

/** Resolves or rejects like `work`, or rejects with {@link TimeoutExceededError} after `timeoutMs`. */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    // Not unref'd: while startup waits on a plugin, this timer may be all that keeps the process alive.
    timer = setTimeout(() => reject(new TimeoutExceededError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
