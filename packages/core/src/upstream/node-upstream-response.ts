/**
 * @fileoverview The {@link UpstreamResponse} of the node:http client: status, headers, and the
 * body, read once in the form the connector asks for (text, JSON, parsed or relayed server-sent
 * events, raw bytes) within the response limits: body size, event size, and a stream's
 * first-content and idle deadlines.
 *
 * A class, not an object literal of closures: one is made for every upstream call, and eight
 * closures with their shared context took about 0.8 KB per call, held for the whole life of a
 * stream (live-heap sampling of 200 open streams).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RelayWatch, ServerSentEvent, UpstreamResponse } from '@llmproxy/connector-sdk';
import { readBodyChunks, type BodyChunkHooks, type ChunkCutter } from './body-chunks.js';
import { pumpBodyChunks, type BodyPump, type PieceTaker } from './body-pump.js';
import { decompressedBody } from './decompressed-body.js';
import { parseServerSentEvents, type SseGuards, type SseLimitKind } from './parse-server-sent-events.js';
import { SseRelayCutter } from './relay-server-sent-events.js';
import { hostOf, toUpstreamFailure, upstreamLimitError, type UpstreamLimits, type UpstreamRequestState } from './to-upstream-failure.js';
import { addUpstreamTime, type UpstreamTiming } from './upstream-timing.js';

/** Bodies at most this large are drained on discard() so their socket can be reused. */
const DRAINABLE_BODY_BYTES = 64 * 1024;
/** How long the rest of a body is read after its reader stopped early, before the socket is destroyed. */
const EARLY_STOP_DRAIN_MS = 250;

export class NodeUpstreamResponse implements UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  #bodyTaken = false;

  constructor(
    private readonly upstreamRequest: ClientRequest,
    private readonly response: IncomingMessage,
    private readonly state: UpstreamRequestState,
    private readonly timing: UpstreamTiming | undefined,
    private readonly limits: UpstreamLimits,
  ) {
    this.status = response.statusCode ?? 0;
    this.headers = response.headers;
  }

  /**
   * Whether the request went out with `signal`: aborting it then cuts this response, and a
   * pending read fails at once with the signal's reason (see to-upstream-failure.ts).
   */
  sentWith(signal: AbortSignal): boolean {
    return this.state.signal === signal;
  }

  async text(): Promise<string> {
    const body = this.takeBody();
    const startedAt = performance.now();
    try {
      const declared = Number(this.response.headers['content-length']);
      // A plain body that announces more than the limit is refused before reading any of it.
      if (body === this.response && Number.isFinite(declared) && declared > this.limits.bodyLimitBytes) throw this.cutForLimit(body, 'body-size');
      return (await readAll(body, this.limits.bodyLimitBytes, () => this.cutForLimit(body, 'body-size'))).toString('utf8');
    } catch (error) {
      throw toUpstreamFailure(error, this.state, 'body');
    } finally {
      addUpstreamTime(this.timing, startedAt);
    }
  }

  async json(): Promise<unknown> {
    const body = await this.text();
    try {
      return JSON.parse(body) as unknown;
    } catch (error) {
      throw new LlmProxyError({
        code: 'UPSTREAM_INVALID_JSON',
        message: `The upstream ${hostOf(this.state.url)} answered with a body that is not JSON`,
        currentValue: `status ${this.response.statusCode}, body starts with ${JSON.stringify(body.slice(0, 120))}`,
        fix: 'Check that the backend base_url points at an OpenAI-compatible API',
        httpStatus: 502,
        cause: error instanceof Error ? new Error(error.message) : undefined,
      });
    }
  }

  events(): AsyncIterable<ServerSentEvent> {
    const body = this.takeBody();
    return parseServerSentEvents(this.chunksOf(body), this.streamGuards(body));
  }

  relayEvents(watch?: RelayWatch): AsyncIterable<Uint8Array> {
    const body = this.takeBody();
    return this.chunksOf(body, new SseRelayCutter(this.streamGuards(body), watch));
  }

  /**
   * relayEvents() pushed: each piece of whole events goes to `take` as it arrives, under the
   * same limits and deadlines. For core's own relay, which holds no pending read per open
   * stream this way (see body-pump.ts).
   */
  pumpRelayEvents(watch: RelayWatch | undefined, take: PieceTaker): BodyPump {
    const body = this.takeBody();
    return pumpBodyChunks(body, this.chunkHooks(body, new SseRelayCutter(this.streamGuards(body), watch)), take);
  }

  bytes(): AsyncIterable<Uint8Array> {
    return this.chunksOf(this.takeBody());
  }

  discard(): void {
    if (this.#bodyTaken) return;
    this.#bodyTaken = true;
    const length = Number(this.response.headers['content-length']);
    if (Number.isFinite(length) && length <= DRAINABLE_BODY_BYTES && !this.response.destroyed) {
      // Reading a small body to its end hands the socket back to the pool.
      this.response.resume();
    } else {
      this.upstreamRequest.destroy();
    }
  }

  private takeBody(): Readable {
    if (this.#bodyTaken) {
      throw new LlmProxyError({
        code: 'UPSTREAM_BODY_ALREADY_READ',
        message: `The body of the response from ${hostOf(this.state.url)} was read twice`,
        fix: 'Read an upstream response body once, with one of text(), json(), events(), bytes() or discard()',
      });
    }
    this.#bodyTaken = true;
    return decompressedBody(this.response);
  }

  private chunksOf(body: Readable, cutter?: ChunkCutter): AsyncIterable<Uint8Array> {
    return readBodyChunks(body, this.chunkHooks(body, cutter));
  }

  /** A failure is the upstream client's, and stopping early lets the socket drain back to the pool. */
  private chunkHooks(body: Readable, cutter?: ChunkCutter): BodyChunkHooks {
    return {
      failure: (error) => toUpstreamFailure(error, this.state, 'body'),
      stoppedEarly: () => releaseAfterEarlyStop(this.upstreamRequest, this.response, body),
      cutter,
    };
  }

  /**
   * Ends the exchange because the upstream broke a limit: the connection is destroyed at once
   * (no drain: the rest may be a bomb), decoding stops, and `body`'s readers fail with the error.
   */
  private cutForLimit(body: Readable, kind: SseLimitKind | 'body-size'): Error {
    const error = upstreamLimitError(kind, this.state, this.limits);
    // The body first: when it is the response itself, destroying it without the error would
    // leave its reader a plain "premature close".
    body.destroy(error);
    this.response.destroy();
    this.upstreamRequest.destroy();
    return error;
  }

  private streamGuards(body: Readable): SseGuards {
    return {
      maxEventBytes: this.limits.eventLimitBytes,
      firstContentTimeoutMs: this.limits.firstContentTimeoutMs,
      idleTimeoutMs: this.limits.streamIdleTimeoutMs,
      startedAt: this.state.startedAt,
      trip: (kind) => this.cutForLimit(body, kind),
    };
  }
}

/**
 * The whole body; rejects when it fails or is cut off before its end, and with `tooLarge()`'s
 * error as soon as it passes `limit` bytes (tooLarge() destroys the body, which stops a
 * decompressor from inflating any further).
 */
function readAll(body: Readable, limit: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let total = 0;
    let ended = false;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      body.off('data', onData);
      chunks = [];
      reject(tooLarge());
    };
    body.on('data', onData);
    body.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    body.once('error', reject);
    body.once('close', () => {
      // Closed without an end or an error of its own (a destroy()): the body was cut off.
      if (!ended) reject(Object.assign(new Error('The response body was cut off'), { code: 'ECONNRESET' }));
    });
  });
}

/**
 * A reader stopped before the body ended, typically right after an end marker such as SSE
 * `data: [DONE]` whose response end is still in flight. Reading the rest for a moment lets the
 * keep-alive socket go back to the pool; a body that goes on longer is cut off. (A caller that
 * aborts its signal destroys the request at once instead.)
 */
function releaseAfterEarlyStop(upstreamRequest: ClientRequest, response: IncomingMessage, body: Readable): void {
  if (response.destroyed || response.complete) {
    body.resume();
    return;
  }
  const timer = setTimeout(() => upstreamRequest.destroy(), EARLY_STOP_DRAIN_MS);
  timer.unref();
  response.once('close', () => clearTimeout(timer));
  body.resume();
}
