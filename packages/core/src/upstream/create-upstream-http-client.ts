/**
 * @fileoverview The upstream HTTP client handed to connectors, on Node's own http/https
 * modules. Owns keep-alive pooling, timeouts, abort handling, decompression and the
 * translation of transport failures into llmproxy errors. Never retries and never follows
 * redirects: a POST to an LLM is neither idempotent nor free. Request and response headers are
 * never logged: they carry credentials. The response and its body readers are
 * node-upstream-response.ts.
 *
 * This replaced got, which cost about 220 µs of CPU per request on the benchmark machine
 * (option merging and native-option building, its timers and event proxying) — more than a
 * whole request through a bare Node passthrough — for features (retries, redirects, hooks,
 * pagination) the proxy turns off.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { UpstreamHttpClient, UpstreamRequest, UpstreamResponse } from '@llmproxy/connector-sdk';
import {
  DEFAULT_STREAM_FIRST_CONTENT_TIMEOUT_MS,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  DEFAULT_UPSTREAM_BODY_LIMIT,
  DEFAULT_UPSTREAM_EVENT_LIMIT,
} from '../config/settings-table.js';
import type { ProxySettings } from '../config/proxy-settings.js';
import type { AppLogger } from '../logging/app-logger.js';
import type { KnownSecrets } from '../logging/known-secrets.js';
import { ACCEPTED_ENCODINGS } from './decompressed-body.js';
import { NodeUpstreamResponse } from './node-upstream-response.js';
import { outgoingHopsHeader, PROXY_HOPS_HEADER } from './proxy-hops.js';
import { abortReason, toUpstreamFailure, type UpstreamLimits, type UpstreamRequestState } from './to-upstream-failure.js';
import { upstreamCallWatcherFor, type UpstreamCallObservation } from './upstream-call-watch.js';
import { onSignalAbort } from './request-signals.js';
import { addUpstreamTime, upstreamTimingFor, type UpstreamTiming } from './upstream-timing.js';

export interface UpstreamHttpClientOptions {
  /**
   * `server.upstream_timeout_ms`: the longest time the upstream may stay silent — while
   * connecting, before its response headers, and between body chunks (streams included). A
   * long stream that keeps sending never times out.
   */
  timeoutMs: number;
  /** `server.upstream_body_limit`: most bytes text()/json() read, after decompression. */
  bodyLimitBytes?: number;
  /** `server.upstream_event_limit`: most bytes of one server-sent event, after decompression. */
  eventLimitBytes?: number;
  /** `server.stream_first_content_timeout_ms`: from sending to the first complete event of events(). */
  firstContentTimeoutMs?: number;
  /** `server.stream_idle_timeout_ms`: between two complete events of events(). */
  streamIdleTimeoutMs?: number;
  logger: AppLogger;
  /**
   * Where the credentials of every request are recorded (secret-named headers, `key` query
   * parameters, token fields), so the log and client-bound error text can scrub an upstream
   * that echoes them. The process logger's set.
   */
  knownSecrets?: KnownSecrets | undefined;
}

/** The client's timeouts and limits from the resolved `server.*` settings. */
export function upstreamClientSettings(server: ProxySettings['server']): Omit<UpstreamHttpClientOptions, 'logger'> {
  return {
    timeoutMs: server.upstreamTimeoutMs,
    bodyLimitBytes: server.upstreamBodyLimitBytes,
    eventLimitBytes: server.upstreamEventLimitBytes,
    firstContentTimeoutMs: server.streamFirstContentTimeoutMs,
    streamIdleTimeoutMs: server.streamIdleTimeoutMs,
  };
}

/** The client plus shutdown of its connection pools. */
export interface ClosableUpstreamHttpClient extends UpstreamHttpClient {
  /** Destroys pooled keep-alive sockets. In-flight requests are aborted by their own signals. */
  close(): void;
}

/** Parsed request targets kept; connectors call a handful of fixed URLs. */
const TARGET_CACHE_SIZE = 256;

interface Target {
  send: typeof httpRequest;
  agent: HttpAgent;
  hostname: string;
  port: string;
  path: string;
  /** The Host header: host and non-default port, IPv6 in brackets. */
  host: string;
}

export function createUpstreamHttpClient(options: UpstreamHttpClientOptions): ClosableUpstreamHttpClient {
  const logger = options.logger.child({ component: 'upstream-http' });
  const httpAgent = new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
  const httpsAgent = new HttpsAgent({ keepAlive: true, scheduling: 'lifo' });
  const targets = new Map<string, Target>();
  const limits: UpstreamLimits = {
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_UPSTREAM_BODY_LIMIT,
    eventLimitBytes: options.eventLimitBytes ?? DEFAULT_UPSTREAM_EVENT_LIMIT,
    firstContentTimeoutMs: options.firstContentTimeoutMs ?? DEFAULT_STREAM_FIRST_CONTENT_TIMEOUT_MS,
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  };

  function targetOf(url: string): Target {
    const cached = targets.get(url);
    if (cached !== undefined) return cached;
    const parsed = new URL(url);
    const secure = parsed.protocol === 'https:';
    if (!secure && parsed.protocol !== 'http:') {
      // Reported like any other unreachable upstream (UPSTREAM_UNREACHABLE), with this code.
      throw Object.assign(new Error(`Protocol ${parsed.protocol} is not supported`), { code: 'ERR_UNSUPPORTED_PROTOCOL' });
    }
    const target: Target = {
      send: secure ? httpsRequest : httpRequest,
      agent: secure ? httpsAgent : httpAgent,
      // Node wants IPv6 literals without their brackets.
      hostname: parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname,
      port: parsed.port,
      path: `${parsed.pathname}${parsed.search}`,
      host: parsed.host,
    };
    if (targets.size >= TARGET_CACHE_SIZE) targets.clear();
    targets.set(url, target);
    return target;
  }

  return {
    send(request) {
      // Looked up now rather than in callbacks: a pooled socket's events may run in the async
      // context of the request that opened it.
      const timing = upstreamTimingFor(request.signal);
      const state: UpstreamRequestState = {
        url: request.url,
        timeoutMs: request.timeoutMs ?? options.timeoutMs,
        signal: request.signal,
        logger,
        timedOut: false,
        startedAt: performance.now(),
      };
      if (request.signal.aborted) return Promise.reject(abortReason(request.signal));
      options.knownSecrets?.addRequestCredentials(request);
      // Tracing's child span of the request; undefined (and free) when nothing watches.
      const call = upstreamCallWatcherFor(request.signal)?.callStarted({ method: request.method, url: request.url });
      let target: Target;
      let body: string | Buffer | undefined;
      let upstreamRequest: ClientRequest;
      try {
        target = targetOf(request.url);
        body = bodyOf(request);
        upstreamRequest = target.send({
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          method: request.method,
          headers: headersFor(request, body, target.host),
          agent: target.agent,
          // An idle timeout on the socket: it covers connecting, waiting for the headers and
          // every gap in the body. The agent clears it when the socket goes back to the pool.
          timeout: state.timeoutMs,
        });
      } catch (error) {
        const failure = toUpstreamFailure(error, state, 'request');
        call?.ended({ error: failure });
        return Promise.reject(failure);
      }
      return exchange(upstreamRequest, body, state, timing, limits, call);
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function bodyOf(request: UpstreamRequest): string | Buffer | undefined {
  if (request.json !== undefined) return JSON.stringify(request.json);
  if (request.body === undefined || typeof request.body === 'string') return request.body;
  return Buffer.isBuffer(request.body)
    ? request.body
    : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
}

/**
 * The request headers as a flat `[name, value, ...]` list. Node writes such a list out as given
 * (still validating every name and value) instead of storing each header through setHeader,
 * which saved a few microseconds per request; the list therefore carries Host itself.
 */
function headersFor(request: UpstreamRequest, body: string | Buffer | undefined, host: string): string[] {
  // Every request names the proxies it passed, this one last (proxy-hops.ts); a caller's own
  // value never replaces it.
  const headers: string[] = [PROXY_HOPS_HEADER, outgoingHopsHeader(request.signal)];
  let hasHost = false;
  let hasAcceptEncoding = false;
  let hasUserAgent = false;
  let hasContentType = false;
  const given = request.headers;
  if (given !== undefined) {
    for (const givenName in given) {
      const value = given[givenName];
      if (value === undefined) continue;
      const name = givenName.toLowerCase();
      // The length is always computed from the body actually sent.
      if (name === 'content-length' || name === PROXY_HOPS_HEADER) continue;
      if (name === 'host') hasHost = true;
      else if (name === 'accept-encoding') hasAcceptEncoding = true;
      else if (name === 'user-agent') hasUserAgent = true;
      else if (name === 'content-type') hasContentType = true;
      headers.push(name, value);
    }
  }
  if (!hasHost) headers.push('host', host);
  if (!hasAcceptEncoding) headers.push('accept-encoding', ACCEPTED_ENCODINGS);
  if (!hasUserAgent) headers.push('user-agent', 'llmproxy');
  if (body !== undefined) {
    if (request.json !== undefined && !hasContentType) headers.push('content-type', 'application/json');
    headers.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length));
  }
  return headers;
}

/** Sends the request and resolves with the response once its headers arrived. */
function exchange(
  upstreamRequest: ClientRequest,
  body: string | Buffer | undefined,
  state: UpstreamRequestState,
  timing: UpstreamTiming | undefined,
  limits: UpstreamLimits,
  call: UpstreamCallObservation | undefined,
): Promise<UpstreamResponse> {
  const startedAt = performance.now();
  let response: IncomingMessage | undefined;
  const cut = (): void => {
    // Destroying the response (once there is one) also destroys its socket, and its reader
    // sees the failure; the failure is reported as the abort reason or a timeout from `state`.
    if (response === undefined) upstreamRequest.destroy();
    else response.destroy(Object.assign(new Error('The upstream request was cut off'), { code: 'ECONNRESET' }));
  };
  const forgetCut = onSignalAbort(state.signal, cut);
  upstreamRequest.on('timeout', () => {
    state.timedOut = true;
    cut();
  });

  return new Promise<UpstreamResponse>((resolve, reject) => {
    upstreamRequest.on('error', (error) => {
      // Once the response arrived, its reader sees socket failures through the response.
      if (response !== undefined) return;
      addUpstreamTime(timing, startedAt);
      forgetCut();
      const failure = toUpstreamFailure(error, state, 'request');
      call?.ended({ error: failure });
      reject(failure);
    });
    upstreamRequest.once('response', (received: IncomingMessage) => {
      response = received;
      addUpstreamTime(timing, startedAt);
      // An error before anyone reads the body (an abort, a reset) must not crash the process
      // as an unhandled 'error' event; readers attach their own listeners and still see it.
      received.on('error', ignore);
      call?.responded(received.statusCode ?? 0);
      received.once('close', () => {
        forgetCut();
        // The call ends with its body: a stream's span covers the whole stream.
        call?.ended({ error: received.errored ?? undefined });
      });
      resolve(new NodeUpstreamResponse(upstreamRequest, received, state, timing, limits));
    });
    upstreamRequest.end(body);
  });
}

function ignore(): void {}

