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
import type { ChatResponse, Connector } from '@llmproxy/connector-sdk';
import type { Request, Response } from 'express';
import type { FrontendRelay, RelayableRequest } from '../../frontends/chat-frontend.js';
import type { AppLogger } from '../../logging/app-logger.js';
import { redactText } from '../../logging/redact-secrets.js';
import type { RequestContext } from '../request-context.js';
import { connectorCallOptions } from '../connector-call-options.js';
import { relayStream, startResponse } from './relay-same-api-stream.js';

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
  connector: RelayingConnector;
  knownSecrets: Iterable<string>;
  /** For the line an upstream's error answer gets, as the error handler writes for the canonical path. */
  logger?: AppLogger | undefined;
  /**
   * Answers a streaming client whose upstream ignored the stream flag and answered in one
   * piece: the answer replayed as a stream in the client's format (the canonical path's way).
   */
  replayAsStream(answer: ChatResponse): Promise<void>;
}

/** A connector that relays bytes in its upstream's API (`relay` defined). */
export type RelayingConnector = Connector & Required<Pick<Connector, 'relay'>>;

export function canRelay(connector: Connector): connector is RelayingConnector {
  return connector.relay !== undefined;
}

export async function relaySameApi(options: SameApiRelay): Promise<void> {
  const { request, response, context, relay, relayable, knownSecrets } = options;
  const usageAsked = relayable.stream && relay.streamUsageRequest?.wanted(request.body) === true ? relay.streamUsageRequest : undefined;
  const body = usageAsked === undefined ? options.body : withTopLevelField(options.body, usageAsked.field);
  const upstream = await options.connector.relay(
    {
      protocol: relay.protocol,
      model: options.model,
      body: body ?? options.body,
      stream: relayable.stream,
      headers: forwardedHeaders(request, relay.forwardedHeaders),
    },
    connectorCallOptions(context),
  );
  const contentType = headerValue(upstream.headers['content-type']);
  const ok = upstream.status >= 200 && upstream.status < 300;
  // Returned, not awaited: this function's frame is not held for the whole stream.
  if (ok && contentType?.includes('text/event-stream') === true) return relayStream(options, upstream, contentType, body === undefined ? undefined : usageAsked);
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
  if (ok && isRecord(parsed) && context.chat !== undefined) {
    const model = parsed['model'] ?? parsed['modelVersion'];
    if (typeof model === 'string') context.chat.responseModel = model;
  }
  // The vendor's own error, relayed as it is; logged, and counted by metrics and traces, as the
  // canonical path's error handler does.
  if (!ok) {
    context.errorCode = 'UPSTREAM_ERROR';
    options.logger?.warn('Request failed', { requestId: context.requestId, method: request.method, path: request.path, code: 'UPSTREAM_ERROR', status: upstream.status, backend: context.backend });
  }
  startResponse(response, upstream, contentType ?? 'application/json');
  // An upstream error may quote the credential it was sent: scrubbed like every client-bound error.
  response.end(ok ? text : redactText(text, { apiKeys: knownSecrets }));
}

/**
 * `body` (a JSON object) with `field` (`"key":value`) added first, or undefined for a body that
 * is not a non-empty object, which then goes out unchanged.
 */
function withTopLevelField(body: Buffer, field: string): Buffer | undefined {
  const open = body.indexOf(0x7b /* { */);
  if (open === -1 || body.subarray(0, open).toString().trim() !== '') return undefined;
  const rest = body.subarray(open + 1);
  // The first byte that is not JSON whitespace, found in place: a conversation of megabytes is
  // not turned into a string to look at one character.
  let first = 0;
  while (first < rest.length && JSON_WHITESPACE.has(rest[first]!)) first += 1;
  if (rest[first] === 0x7d /* } */) return undefined;
  return Buffer.concat([body.subarray(0, open + 1), Buffer.from(`${field},`), rest]);
}

const JSON_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

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
