/**
 * @fileoverview The upstream HTTP client handed to connectors: got behind one module. Owns
 * keep-alive pooling, timeouts, abort handling, decompression and the translation of transport
 * failures into llmproxy errors. Request and response headers are never logged: they carry
 * credentials.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import got, { RequestError, TimeoutError, type Request as GotRequest, type Response as GotResponse } from 'got';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type {
  ServerSentEvent,
  UpstreamHttpClient,
  UpstreamRequest,
  UpstreamResponse,
} from '@llmproxy/connector-sdk';
import type { AppLogger } from '../logging/app-logger.js';
import { parseServerSentEvents } from './parse-server-sent-events.js';
import { currentUpstreamTiming, type UpstreamTiming } from './upstream-timing.js';

export interface UpstreamHttpClientOptions {
  /**
   * `server.upstream_timeout_ms`: the longest wait for a connection, for response headers once
   * the request was sent, and for the next body chunk of a response (streams included). A
   * long stream that keeps sending never times out.
   */
  timeoutMs: number;
  logger: AppLogger;
}

/** The client plus shutdown of its connection pools. */
export interface ClosableUpstreamHttpClient extends UpstreamHttpClient {
  /** Destroys pooled keep-alive sockets. In-flight requests are aborted by their own signals. */
  close(): void;
}

/** Bodies at most this large are drained on discard() so their socket can be reused. */
const DRAINABLE_BODY_BYTES = 64 * 1024;
/** How long the rest of a body is read after its reader stopped early, before the socket is destroyed. */
const EARLY_STOP_DRAIN_MS = 250;

export function createUpstreamHttpClient(options: UpstreamHttpClientOptions): ClosableUpstreamHttpClient {
  const logger = options.logger.child({ component: 'upstream-http' });
  const agents = {
    http: new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
    https: new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
  };
  // One extended instance: got merges these defaults once here rather than on every request.
  const instance = got.extend({
    agent: agents,
    throwHttpErrors: false,
    // A POST to an LLM is neither idempotent nor free: never repeat it behind the caller's back.
    retry: { limit: 0 },
    followRedirect: false,
    decompress: true,
    timeout: timeoutsFor(options.timeoutMs),
  });

  return {
    send(request) {
      return send(instance, request, options.timeoutMs, logger);
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function timeoutsFor(timeoutMs: number): { connect: number; response: number; socket: number } {
  return { connect: timeoutMs, response: timeoutMs, socket: timeoutMs };
}

function send(
  instance: typeof got,
  request: UpstreamRequest,
  defaultTimeoutMs: number,
  logger: AppLogger,
): Promise<UpstreamResponse> {
  // Captured now rather than read in callbacks: a pooled socket's events may run in the async
  // context of the request that opened it.
  const timing = currentUpstreamTiming();
  const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
  const startedAt = performance.now();
  const context: FailureContext = { url: request.url, timeoutMs, signal: request.signal, logger };

  if (request.signal.aborted) return Promise.reject(abortReason(request.signal));

  let stream: GotRequest;
  try {
    stream = instance.stream(request.url, {
      method: request.method,
      headers: request.headers,
      json: request.json,
      body: typeof request.body === 'string' || request.body === undefined ? request.body : toBuffer(request.body),
      signal: request.signal,
      ...(request.timeoutMs === undefined ? {} : { timeout: timeoutsFor(request.timeoutMs) }),
    });
  } catch (error) {
    return Promise.reject(toUpstreamFailure(error, context, 'request'));
  }

  return new Promise<UpstreamResponse>((resolve, reject) => {
    const onError = (error: unknown): void => {
      addUpstreamTime(timing, startedAt);
      reject(toUpstreamFailure(error, context, 'request'));
    };
    stream.once('error', onError);
    stream.once('response', (response: GotResponse) => {
      stream.off('error', onError);
      addUpstreamTime(timing, startedAt);
      resolve(createUpstreamResponse(stream, response, context, timing));
    });
  });
}

function addUpstreamTime(timing: UpstreamTiming | undefined, since: number): void {
  if (timing !== undefined) timing.upstreamMs += performance.now() - since;
}

function createUpstreamResponse(
  stream: GotRequest,
  response: GotResponse,
  context: FailureContext,
  timing: UpstreamTiming | undefined,
): UpstreamResponse {
  // An error before anyone reads the body (an abort, a reset) must not crash the process as an
  // unhandled 'error' event; readers attach their own listeners and still see it.
  stream.on('error', ignoreUntilRead);
  let bodyTaken = false;

  function takeBody(): void {
    if (bodyTaken) {
      throw new LlmProxyError({
        code: 'UPSTREAM_BODY_ALREADY_READ',
        message: `The body of the response from ${hostOf(context.url)} was read twice`,
        fix: 'Read an upstream response body once, with one of text(), json(), events(), bytes() or discard()',
      });
    }
    bodyTaken = true;
  }

  async function* bytes(): AsyncGenerator<Uint8Array> {
    let finished = false;
    try {
      for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) yield chunk;
      finished = true;
    } catch (error) {
      finished = true;
      throw toUpstreamFailure(error, context, 'body');
    } finally {
      if (!finished) releaseAfterEarlyStop(stream);
    }
  }

  async function text(): Promise<string> {
    takeBody();
    const startedAt = performance.now();
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of bytes()) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      addUpstreamTime(timing, startedAt);
    }
  }

  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    async json() {
      const body = await text();
      try {
        return JSON.parse(body) as unknown;
      } catch (error) {
        throw new LlmProxyError({
          code: 'UPSTREAM_INVALID_JSON',
          message: `The upstream ${hostOf(context.url)} answered with a body that is not JSON`,
          currentValue: `status ${response.statusCode}, body starts with ${JSON.stringify(body.slice(0, 120))}`,
          fix: 'Check that the backend base_url points at an OpenAI-compatible API',
          httpStatus: 502,
          cause: safeCause(error),
        });
      }
    },
    events(): AsyncIterable<ServerSentEvent> {
      takeBody();
      return parseServerSentEvents(bytes());
    },
    bytes(): AsyncIterable<Uint8Array> {
      takeBody();
      return bytes();
    },
    discard() {
      if (bodyTaken) return;
      bodyTaken = true;
      const length = Number(response.headers['content-length']);
      if (Number.isFinite(length) && length <= DRAINABLE_BODY_BYTES && !stream.destroyed) {
        // Reading a small body to its end hands the socket back to the pool.
        stream.resume();
      } else {
        stream.destroy();
      }
    },
  };
}

function ignoreUntilRead(): void {}

/**
 * A reader stopped before the body ended, typically right after an end marker such as SSE
 * `data: [DONE]` whose response end is still in flight. Reading the rest for a moment lets the
 * keep-alive socket go back to the pool; a body that goes on longer is cut off. (A caller that
 * aborts its signal destroys the request at once instead.)
 */
function releaseAfterEarlyStop(stream: GotRequest): void {
  if (stream.destroyed || stream.readableEnded) return;
  const timer = setTimeout(() => stream.destroy(), EARLY_STOP_DRAIN_MS);
  timer.unref();
  stream.once('close', () => clearTimeout(timer));
  stream.resume();
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface FailureContext {
  url: string;
  timeoutMs: number;
  signal: AbortSignal;
  logger: AppLogger;
}

/**
 * Translates a transport failure. An abort by the caller rethrows the signal's reason, as
 * fetch does, so the caller recognises its own abort.
 */
function toUpstreamFailure(error: unknown, context: FailureContext, phase: 'request' | 'body'): unknown {
  if (context.signal.aborted) return abortReason(context.signal);
  if (LlmProxyError.is(error)) return error;
  const host = hostOf(context.url);
  if (error instanceof TimeoutError) {
    context.logger.warn('Upstream request timed out', { host, timeoutMs: context.timeoutMs, event: error.event });
    return new LlmProxyError({
      code: 'UPSTREAM_TIMEOUT',
      message:
        phase === 'request'
          ? `The upstream ${host} did not answer within ${context.timeoutMs} ms`
          : `The upstream ${host} sent nothing for ${context.timeoutMs} ms in the middle of its response`,
      currentValue: `server.upstream_timeout_ms = ${context.timeoutMs}`,
      fix: 'Raise server.upstream_timeout_ms in the config file if the backend is slow, or check that it is up',
      httpStatus: 504,
      details: { host },
      cause: safeCause(error),
    });
  }
  const code = error instanceof RequestError ? error.code : undefined;
  context.logger.warn('Upstream request failed', { host, code, phase });
  if (phase === 'body') {
    return new LlmProxyError({
      code: 'UPSTREAM_CONNECTION_LOST',
      message: `The connection to the upstream ${host} broke while its response was being read`,
      currentValue: code,
      fix: 'Retry the request; if it keeps happening, check the backend and the network',
      httpStatus: 502,
      details: { host },
      cause: safeCause(error),
    });
  }
  return new LlmProxyError({
    code: 'UPSTREAM_UNREACHABLE',
    message: `Could not reach the upstream ${host}`,
    currentValue: code,
    fix: 'Check the backend base_url and that the upstream server is running and reachable',
    httpStatus: 502,
    details: { host },
    cause: safeCause(error),
  });
}

/**
 * got's errors carry the request options, credentials headers included; a logger that
 * serialises an error's cause must never see them, so only name, message and code are kept.
 */
function safeCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const cause = new Error(error.message);
  cause.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (cause as Error & { code?: string }).code = code;
  return cause;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The upstream request was aborted.', 'AbortError');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
