/**
 * @fileoverview The same-API relay: a request whose client API is the one the backend's
 * upstream speaks goes out as the client sent it (only the model and what the proxy owns —
 * credentials, the URL — change) and the answer comes back as the upstream sent it, unknown
 * fields and event types included. Nothing is parsed into the canonical model or rendered back:
 * the bytes are relayed, stream events flushed as each one completes, and token usage is read
 * on the side for the request log.
 *
 * The route's guarantees stay: authentication ran before, key rotation happens in the
 * connector before the first byte, the client's disconnect aborts the upstream through the
 * signal, the upstream client's deadlines and limits apply, shutdown cuts a stream with the
 * API's own error event, and errors the proxy raises itself are rendered in the client's format.
 */
import { describeUnparsedBody, LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatResponse, Connector, UpstreamResponse } from '@llmproxy/connector-sdk';
import type { Request, Response } from 'express';
import type { FrontendRelay, RelayableRequest } from '../../frontends/chat-frontend.js';
import { redactText } from '../../logging/redact-secrets.js';
import { countAsUpstreamWait } from '../count-as-upstream-wait.js';
import { redactClientBoundError } from '../redact-client-bound-error.js';
import type { RequestContext } from '../request-context.js';
import { writable } from '../send-event-stream.js';
import { endOnShutdown } from '../shutdown-cut.js';
import { mergeWireUsage } from '../wire-usage.js';

/** Upstream response headers the client sees besides the content type: request ids and retry hints. */
const RELAYED_RESPONSE_HEADERS = ['retry-after', 'request-id', 'x-request-id'] as const;
/**
 * Every API's error event carries this key (`"error": {…}`, `"type":"error"`); content text
 * cannot, since quotes inside JSON strings are escaped. Only stream chunks holding it are
 * scrubbed of secrets, so plain content events cost one byte search.
 */
const ERROR_MARKER = Buffer.from('"error"');

export interface SameApiRelay {
  request: Request;
  response: Response;
  context: RequestContext;
  relay: FrontendRelay;
  relayable: RelayableRequest;
  /** The routed model, without the backend prefix. */
  model: string;
  /** The request body to send (the routed model already in it). */
  body: Buffer;
  connector: Required<Pick<Connector, 'relay'>>;
  knownSecrets: Iterable<string>;
  /**
   * Answers a streaming client whose upstream ignored the stream flag and answered in one
   * piece: the answer replayed as a stream in the client's format (the canonical path's way).
   */
  replayAsStream(answer: ChatResponse): Promise<void>;
}

export async function relaySameApi(options: SameApiRelay): Promise<void> {
  const { request, response, context, relay, relayable, knownSecrets } = options;
  const upstream = await options.connector.relay(
    {
      protocol: relay.protocol,
      model: options.model,
      body: options.body,
      stream: relayable.stream,
      headers: forwardedHeaders(request, relay.forwardedHeaders),
    },
    { signal: context.abortController.signal },
  );
  const contentType = headerValue(upstream.headers['content-type']);
  const ok = upstream.status >= 200 && upstream.status < 300;
  if (ok && contentType?.includes('text/event-stream') === true) {
    await relayStream(options, upstream, contentType);
    return;
  }
  // A whole answer (or an error) is read within the upstream body limit, then sent at once.
  const text = await upstream.text();
  const parsed = parseJson(text);
  if (!ok && !isRecord(parsed)) {
    // Not the vendor's JSON error (a gateway's HTML page, an empty body): the proxy's own error
    // in the client's format, with the upstream's status and an excerpt.
    throw new UpstreamError({
      backend: context.backend ?? 'unknown',
      status: upstream.status,
      error: { message: describeUnparsedBody(upstream.status, text) },
      headers: typeof upstream.headers['retry-after'] === 'string' ? { 'retry-after': upstream.headers['retry-after'] } : {},
    });
  }
  if (ok && parsed === undefined) throw invalidJson(upstream.status, text, context.backend);
  if (ok && relayable.stream) {
    const answer = await relay.readWholeAnswer(parsed, context.backend ?? 'unknown', options.model);
    context.usage = answer.usage;
    await options.replayAsStream(answer);
    return;
  }
  if (ok && isRecord(parsed) && isRecord(parsed[relay.usageKey])) context.usage = relay.usageOf(parsed[relay.usageKey] as Record<string, unknown>);
  startResponse(response, upstream, contentType ?? 'application/json');
  // An upstream error may quote the credential it was sent: scrubbed like every client-bound error.
  response.end(ok ? text : redactText(text, { apiKeys: knownSecrets }));
}

async function relayStream(options: SameApiRelay, upstream: UpstreamResponse, contentType: string): Promise<void> {
  const { response, context, relay, knownSecrets } = options;
  const usage: Record<string, unknown> = {};
  const decoder = new TextDecoder();
  const watch = { marker: `"${relay.usageKey}"`, observe: (events: Uint8Array) => mergeWireUsage(decoder.decode(events), relay.usageKey, usage) };
  const chunks = upstream.relayEvents?.(watch) ?? upstream.bytes();
  const iterator: AsyncIterator<Uint8Array> = endOnShutdown(chunks, context.abortController.signal)[Symbol.asyncIterator]();
  let clientGone = false;
  response.once('close', () => {
    clientGone = true;
  });
  // A failure before the first event is still an HTTP error in the client's format (the error
  // handler renders it); the wait for the first event is the upstream's time.
  let next: IteratorResult<Uint8Array> = await countAsUpstreamWait(context.upstreamTiming, () => iterator.next());
  startResponse(response, upstream, contentType);
  response.setHeader('cache-control', 'no-cache');
  response.setHeader('x-accel-buffering', 'no');
  try {
    while (next.done !== true && !clientGone) {
      // An upstream error event may quote the credential it was sent.
      const bytes = asBuffer(next.value);
      const chunk = bytes.includes(ERROR_MARKER) ? redactText(decoder.decode(bytes), { apiKeys: knownSecrets }) : bytes;
      if (!response.write(chunk) && !clientGone) await writable(response);
      if (clientGone) break;
      next = await iterator.next();
    }
  } catch (error) {
    // After the first byte the failure travels as the API's own error event, scrubbed first.
    if (!clientGone) response.write(relay.streamErrorFrame(LlmProxyError.is(error) ? redactClientBoundError(error, knownSecrets) : error));
    next = { done: true, value: undefined };
  } finally {
    // Stopping early (the client left) releases the upstream stream.
    if (next.done !== true) await iterator.return?.();
    observeUsage(context, relay, usage);
  }
  if (!clientGone) response.end();
}

function startResponse(response: Response, upstream: UpstreamResponse, contentType: string): void {
  response.status(upstream.status);
  response.setHeader('content-type', contentType);
  for (const name of RELAYED_RESPONSE_HEADERS) {
    const value = upstream.headers[name];
    if (value !== undefined) response.setHeader(name, value);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The upstream client's UPSTREAM_INVALID_JSON, for a success answer that is not JSON. */
function invalidJson(status: number, text: string, backend: string | undefined): LlmProxyError {
  return new LlmProxyError({
    code: 'UPSTREAM_INVALID_JSON',
    message: `The upstream of backend ${backend ?? 'unknown'} answered with a body that is not JSON`,
    currentValue: `status ${status}, body starts with ${JSON.stringify(text.slice(0, 120))}`,
    fix: "Check that the backend base_url points at the vendor's API",
    httpStatus: 502,
  });
}

function observeUsage(context: RequestContext, relay: FrontendRelay, usage: Record<string, unknown>): void {
  for (const _field in usage) {
    context.usage = relay.usageOf(usage);
    return;
  }
}

/** The allow-listed client headers, lower-cased; repeated headers joined as HTTP allows. */
function forwardedHeaders(request: Request, names: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
