/**
 * @fileoverview Scrubs secrets from an error before it reaches a client. Upstream error messages
 * (and the proxy's own quotes of an upstream body) travel to clients verbatim, so an upstream
 * that echoes the credential it received would hand the operator's key to every client. Every
 * client-bound error passes here first — the error handler before a response starts, and the
 * chat route's stream wrapper for errors that travel inside a stream — with the same redaction
 * as the logs: secret shapes (bearer tokens, `sk-…`, `AIza…`, `api_key=…`) and the exact
 * credentials the process holds (its client keys and every credential sent upstream).
 */
import { LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import { redactText } from '../logging/redact-secrets.js';

/** The redacted error, or `error` itself when none of its client-visible text held a secret. */
export function redactClientBoundError(error: LlmProxyError, secrets: Iterable<string>): LlmProxyError {
  const options = { apiKeys: secrets };
  const redactOptional = <T>(value: T): T | string => (typeof value === 'string' ? redactText(value, options) : value);

  if (UpstreamError.is(error)) {
    // A connector built on another SDK copy may leave fields out: only strings are rewritten.
    const body = error.upstreamError;
    const upstreamHeaders: Record<string, string> = (error.upstreamHeaders as Record<string, string> | undefined) ?? {};
    const scrubbed = {
      message: redactOptional(body.message),
      type: redactOptional(body.type),
      code: redactOptional(body.code),
      param: redactOptional(body.param),
    };
    const headers = Object.fromEntries(Object.entries(upstreamHeaders).map(([name, value]) => [name, redactOptional(value)]));
    const unchanged =
      scrubbed.message === body.message &&
      scrubbed.type === body.type &&
      scrubbed.code === body.code &&
      scrubbed.param === body.param &&
      Object.entries(headers).every(([name, value]) => upstreamHeaders[name] === value);
    if (unchanged) return error;
    const backend = error.details['backend'];
    return new UpstreamError({
      backend: typeof backend === 'string' ? backend : 'unknown',
      status: error.upstreamStatus,
      error: scrubbed,
      headers,
      cause: error,
    });
  }

  const summary = redactOptional(error.summary);
  const currentValue = redactOptional(error.currentValue);
  const fix = redactOptional(error.fix);
  if (summary === error.summary && currentValue === error.currentValue && fix === error.fix) return error;
  return new LlmProxyError({
    code: error.code,
    message: summary,
    ...(currentValue === undefined ? {} : { currentValue }),
    ...(fix === undefined ? {} : { fix }),
    httpStatus: error.httpStatus,
    details: error.details,
    cause: error,
  });
}

/**
 * Re-yields `events`, scrubbing an error thrown from them (an upstream error inside a stream)
 * before the stream renderer turns it into the client's in-stream error event.
 */
export async function* redactStreamErrors<T>(events: AsyncIterable<T>, secrets: Iterable<string>): AsyncGenerator<T, void, undefined> {
  try {
    yield* events;
  } catch (error) {
    throw LlmProxyError.is(error) ? redactClientBoundError(error, secrets) : error;
  }
}
