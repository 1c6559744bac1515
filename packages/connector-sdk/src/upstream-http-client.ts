/**
 * @fileoverview The narrow HTTP client a connector gets from core. Connectors never import an
 * HTTP library themselves: core owns timeouts, proxies, decompression and abort handling.
 */

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** A JSON body (serialised by the client, content-type set). */
  json?: unknown;
  /** A raw body; use `json` for JSON. */
  body?: string | Uint8Array;
  /** Aborts the upstream request, e.g. when the client disconnected. */
  signal: AbortSignal;
  /** Overrides the configured upstream timeout for this request, in milliseconds. */
  timeoutMs?: number;
}

/** One server-sent event, as framed by the SSE spec. */
export interface ServerSentEvent {
  event?: string | undefined;
  data: string;
  id?: string | undefined;
}

/**
 * An upstream response whose body has not been read yet. Read it exactly once, with one of
 * `text`, `json`, `events` or `bytes`.
 */
export interface UpstreamResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** The body parsed as server-sent events, yielded as they arrive. */
  events(): AsyncIterable<ServerSentEvent>;
  /** The raw body bytes, yielded as they arrive. */
  bytes(): AsyncIterable<Uint8Array>;
  /**
   * The raw bytes of a server-sent event stream, for relaying it unchanged: each chunk ends at
   * an event boundary (the bytes of an unfinished event wait for its end), under the same
   * guards as {@link events} (event size, first-content and idle deadlines). Each chunk that
   * contains `watch.marker` is also handed to `watch.observe`, e.g. to read token usage on
   * the side. Added in SDK 1.3; absent in older hosts' clients.
   */
  relayEvents?(watch?: RelayWatch): AsyncIterable<Uint8Array>;
  /** Discards the body and releases the connection. */
  discard(): void;
}

/** What {@link UpstreamResponse.relayEvents} reports on the side. */
export interface RelayWatch {
  /** Bytes (as UTF-8 text) whose presence in a chunk of complete events makes it observed. */
  marker: string;
  observe(events: Uint8Array): void;
}

export interface UpstreamHttpClient {
  /** Sends a request; resolves once the response headers arrived. HTTP error statuses resolve too. */
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
}
