/**
 * @fileoverview A same-API stream relayed (see relay-same-api.ts): the upstream's events go to
 * the client as each one completes, as the upstream sent them; usage and the answering model
 * are read on the side; a stream cut off before its last event, or failing after the first
 * byte, ends with the API's own error event.
 *
 * Core's own upstream responses push their events to the relay as they arrive
 * (NodeUpstreamResponse.pumpRelayEvents), so an open stream holds no pending read between
 * events; any other response (a third-party connector's) is read through its async iterator.
 * Both hand each piece to the same {@link StreamRelay}.
 */
import { LlmProxyError, StreamEndedEarlyError } from '@llmproxy/connector-sdk';
import type { RelayWatch, UpstreamResponse } from '@llmproxy/connector-sdk';
import type { Response } from 'express';
import type { FrontendRelay } from '../../frontends/chat-frontend.js';
import { redactText } from '../../logging/redact-secrets.js';
import { NodeUpstreamResponse } from '../../upstream/node-upstream-response.js';
import { markerBytes } from '../../upstream/relay-server-sent-events.js';
import { countAsUpstreamWait } from '../count-as-upstream-wait.js';
import { redactClientBoundError } from '../redact-client-bound-error.js';
import type { RequestContext } from '../request-context.js';
import { writable } from '../send-event-stream.js';
import { endOnShutdown } from '../shutdown-cut.js';
import { mergeWireUsage } from '../wire-usage.js';
import type { SameApiRelay } from './relay-same-api.js';

/** Upstream response headers the client sees besides the content type: request ids and retry hints. */
const RELAYED_RESPONSE_HEADERS = ['retry-after', 'request-id', 'x-request-id'] as const;
/**
 * Every API's error event carries this key (`"error": {…}`, `"type":"error"`); content text
 * cannot, since quotes inside JSON strings are escaped. Only stream chunks holding it are
 * scrubbed of secrets, so plain content events cost one byte search.
 */
const ERROR_MARKER = Buffer.from('"error"');
const USAGE_MARKER = Buffer.from('"usage"');
const ANSWERING_MODEL = /"(?:model|modelVersion)"\s*:\s*"([^"\\]{1,200})"/;

export async function relayStream(
  options: SameApiRelay,
  upstream: UpstreamResponse,
  contentType: string,
  /** Set when the proxy asked for the usage the client did not: its usage-only event is not relayed. */
  usageAsked: FrontendRelay['streamUsageRequest'],
): Promise<void> {
  const relayed = new StreamRelay(options, upstream, contentType, usageAsked);
  const signal = options.context.abortController.signal;
  // Core's own upstream client fails its body with the shutdown error when the request's signal
  // is aborted; only other responses need endOnShutdown's wrapper.
  if (upstream instanceof NodeUpstreamResponse && upstream.sentWith(signal)) return relayPushed(relayed, upstream);
  return relayPulled(relayed, upstream, signal);
}

async function relayPushed(relayed: StreamRelay, upstream: NodeUpstreamResponse): Promise<void> {
  const pump = upstream.pumpRelayEvents(relayed.watch, relayed.take);
  relayed.response.once('close', () => pump.stop());
  // A failure before the first event is still an HTTP error in the client's format (the error
  // handler renders it); the wait for the first event is the upstream's time.
  await countAsUpstreamWait(relayed.context.upstreamTiming, () => Promise.race([relayed.firstPiece(), pump.done]));
  await relayed.finish(pump.done);
}

async function relayPulled(relayed: StreamRelay, upstream: UpstreamResponse, signal: AbortSignal): Promise<void> {
  const iterator = endOnShutdown(upstream.relayEvents?.(relayed.watch) ?? upstream.bytes(), signal);
  let next = await countAsUpstreamWait(relayed.context.upstreamTiming, () => iterator.next());
  const pieces = async (): Promise<void> => {
    let failed = true;
    try {
      while (next.done !== true && !relayed.clientGone) {
        const wait = relayed.take(asBuffer(next.value));
        if (wait !== undefined) await wait;
        if (relayed.clientGone) break;
        next = await iterator.next();
      }
      failed = false;
    } finally {
      // Stopping early (the client left) releases the upstream stream; a failed one has nothing to release.
      if (next.done !== true && !failed) await iterator.return?.();
    }
  };
  await relayed.finish(pieces());
}

/** One relayed stream: what it writes for each piece, and how it ends. */
class StreamRelay {
  readonly response: Response;
  readonly context: RequestContext;
  readonly #relay: FrontendRelay;
  readonly #endMarkers: Buffer[];
  readonly #usage: Record<string, unknown> = {};
  readonly watch: RelayWatch;
  #started = false;
  #startedNow: (() => void) | undefined;
  /** An error or end-marker event was relayed: the stream ended as the API ends one. */
  #ended = false;
  clientGone = false;

  constructor(
    private readonly options: SameApiRelay,
    private readonly upstream: UpstreamResponse,
    private readonly contentType: string,
    private readonly usageAsked: FrontendRelay['streamUsageRequest'],
  ) {
    this.response = options.response;
    this.context = options.context;
    this.#relay = options.relay;
    this.#endMarkers = options.relay.streamEndMarkers.map(markerBytes);
    this.watch = {
      marker: `"${options.relay.usageKey}"`,
      // Whole events: decoding one alone splits no character.
      observe: (events: Uint8Array) => {
        const text = asBuffer(events).toString('utf8');
        mergeWireUsage(text, this.#relay.usageKey, this.#usage);
        // Every API names the answering model in the events that carry usage too.
        observeAnsweringModel(this.context, text);
      },
    };
    this.response.once('close', () => {
      this.clientGone = true;
    });
  }

  /** Relays one piece of whole events; a promise back while the client's socket is full. */
  readonly take = (piece: Buffer): Promise<void> | undefined => {
    if (this.clientGone) return undefined;
    this.#start();
    let bytes = piece;
    const failed = bytes.includes(ERROR_MARKER);
    // An error event ends a stream as surely as its last event does.
    this.#ended ||= failed || includesAny(bytes, this.#endMarkers);
    if (this.usageAsked !== undefined && bytes.includes(USAGE_MARKER)) bytes = withoutUsageOnlyEvents(bytes, this.usageAsked.isUsageOnlyEvent);
    // An upstream error event may quote the credential it was sent.
    const chunk = failed ? redactText(bytes.toString('utf8'), { apiKeys: this.options.knownSecrets }) : bytes;
    if (chunk.length > 0 && !this.response.write(chunk) && !this.clientGone) return writable(this.response);
    return undefined;
  };

  /** Settles once the first piece was relayed. */
  firstPiece(): Promise<void> {
    if (this.#started) return Promise.resolve();
    return new Promise((resolve) => (this.#startedNow = resolve));
  }

  /** Waits for the source (`pieces`) to end, then ends the client's stream, with an error event if it did not end as the API ends one. */
  async finish(pieces: Promise<void>): Promise<void> {
    if (!this.clientGone) this.#start();
    try {
      await pieces;
      // Cut off upstream before its last event: the client hears it, as from the canonical path.
      if (!this.#ended && !this.clientGone) throw new StreamEndedEarlyError({ backend: this.context.backend ?? 'unknown', missing: 'its last event' });
    } catch (error) {
      // After the first byte the failure travels as the API's own error event, scrubbed first.
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code === 'string') this.context.errorCode = code;
      if (!this.clientGone) {
        this.response.write(this.#relay.streamErrorFrame(LlmProxyError.is(error) ? redactClientBoundError(error, this.options.knownSecrets) : error));
      }
    } finally {
      observeUsage(this.context, this.#relay, this.#usage);
    }
    if (!this.clientGone) this.response.end();
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    startResponse(this.response, this.upstream, this.contentType);
    this.response.setHeader('cache-control', 'no-cache');
    this.response.setHeader('x-accel-buffering', 'no');
    this.#startedNow?.();
  }
}

export function startResponse(response: Response, upstream: UpstreamResponse, contentType: string): void {
  response.status(upstream.status);
  response.setHeader('content-type', contentType);
  for (const name of RELAYED_RESPONSE_HEADERS) {
    const value = upstream.headers[name];
    if (value !== undefined) response.setHeader(name, value);
  }
}

/** The model stream events say answered (`model`, Gemini's `modelVersion`), for metrics and traces. */
function observeAnsweringModel(context: RequestContext, events: string): void {
  if (context.chat === undefined) return;
  const model = ANSWERING_MODEL.exec(events)?.[1];
  if (model !== undefined) context.chat.responseModel = model;
}

/** `events` (whole SSE events, so no character is split) without those `isUsageOnly` recognises. */
function withoutUsageOnlyEvents(events: Buffer, isUsageOnly: (event: string) => boolean): Buffer {
  const text = events.toString('utf8');
  const kept = text.split(/(?<=\r?\n\r?\n)/).filter((event) => !(event.includes('"usage"') && isUsageOnly(event)));
  return Buffer.from(kept.join(''));
}

/** A loop, not `markers.some(closure)`: it runs for every relayed event. */
function includesAny(bytes: Buffer, markers: readonly Buffer[]): boolean {
  for (const marker of markers) if (bytes.includes(marker)) return true;
  return false;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function observeUsage(context: RequestContext, relay: FrontendRelay, usage: Record<string, unknown>): void {
  for (const _field in usage) {
    context.usage = relay.usageOf(usage);
    return;
  }
}
