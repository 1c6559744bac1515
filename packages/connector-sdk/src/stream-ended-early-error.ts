/**
 * @fileoverview The error every stream reader throws when an upstream stream stops before its
 * protocol's end marker (`[DONE]`, `message_stop`, a finish reason, a closed tool call). Clients
 * then get an error event instead of a truncated answer that looks complete.
 */
import { LlmProxyError } from './errors.js';

export interface StreamEndedEarlyErrorOptions {
  /** The backend whose stream ended. */
  backend: string;
  /**
   * What was still missing, completing "ended before …". Defaults to
   * `the answer was complete`.
   */
  missing?: string;
  cause?: unknown;
}

/** `UPSTREAM_STREAM_INTERRUPTED`: the upstream closed the stream before the answer was complete. */
export class StreamEndedEarlyError extends LlmProxyError {
  constructor(options: StreamEndedEarlyErrorOptions) {
    super({
      code: 'UPSTREAM_STREAM_INTERRUPTED',
      message: `The stream from backend ${options.backend} ended before ${options.missing ?? 'the answer was complete'}`,
      fix: 'Retry the request; if it keeps happening, check the upstream server',
      httpStatus: 502,
      details: { backend: options.backend },
      cause: options.cause,
    });
    this.name = 'StreamEndedEarlyError';
  }
}
