/**
 * @fileoverview The wire-level debug log of an opted-in OAuth backend: every upstream request
 * and response its connector sends through core's HTTP client (method, URL, headers, bodies and
 * stream events), with credentials removed before anything is written. It logs at info level,
 * since opting in is itself the request to see this traffic.
 */
import type { ConnectorLogger, ServerSentEvent, UpstreamHttpClient, UpstreamRequest, UpstreamResponse } from '@llmproxy/connector-sdk';
import { isSecretKeyName, REDACTED, redactText } from '../logging/redact-secrets.js';
import { requestIdOfSignal } from '../upstream/request-signals.js';

/** Longest body excerpt written per entry: enough to debug a protocol, short enough for a log. */
const MAX_LOGGED_CHARACTERS = 4_000;

/** Wraps `http` so that everything `backendName` sends and receives is logged. */
export function createWireDebugHttpClient(http: UpstreamHttpClient, backendLogger: ConnectorLogger): UpstreamHttpClient {
  let nextExchange = 1;
  return {
    async send(request: UpstreamRequest): Promise<UpstreamResponse> {
      const exchange = nextExchange++;
      const logger = withRequestId(backendLogger, requestIdOfSignal(request.signal));
      logger.info(`Wire #${exchange} request: ${request.method} ${redact(request.url)}`, {
        wire: 'request',
        headers: redactHeaders(request.headers ?? {}),
        body: excerpt(requestBody(request)),
      });
      let response: UpstreamResponse;
      try {
        response = await http.send(request);
      } catch (error) {
        logger.info(`Wire #${exchange} failed: ${redact(error instanceof Error ? error.message : String(error))}`, { wire: 'error' });
        throw error;
      }
      logger.info(`Wire #${exchange} response: HTTP ${response.status}`, { wire: 'response', headers: redactHeaders(response.headers) });
      return loggedResponse(response, exchange, logger);
    },
  };
}

/** `logger` adding the id of the client request the exchange is for, when there is one. */
function withRequestId(logger: ConnectorLogger, requestId: string | undefined): ConnectorLogger {
  if (requestId === undefined) return logger;
  const tagged = (meta: Record<string, unknown> | undefined): Record<string, unknown> => ({ requestId, ...meta });
  return {
    error: (message, meta) => logger.error(message, tagged(meta)),
    warn: (message, meta) => logger.warn(message, tagged(meta)),
    info: (message, meta) => logger.info(message, tagged(meta)),
    debug: (message, meta) => logger.debug(message, tagged(meta)),
  };
}

function loggedResponse(response: UpstreamResponse, exchange: number, logger: ConnectorLogger): UpstreamResponse {
  const logBody = (body: string): void => logger.info(`Wire #${exchange} response body`, { wire: 'body', body: excerpt(body) });
  return {
    status: response.status,
    headers: response.headers,
    async text() {
      const text = await response.text();
      logBody(text);
      return text;
    },
    async json() {
      const value = await response.json();
      logBody(JSON.stringify(value));
      return value;
    },
    events() {
      return loggedEvents(response.events(), exchange, logger);
    },
    bytes() {
      return loggedBytes(response.bytes(), exchange, logger);
    },
    discard() {
      response.discard();
    },
  };
}

async function* loggedEvents(events: AsyncIterable<ServerSentEvent>, exchange: number, logger: ConnectorLogger): AsyncGenerator<ServerSentEvent> {
  let count = 0;
  for await (const event of events) {
    count += 1;
    logger.info(`Wire #${exchange} stream event ${count}${event.event === undefined ? '' : ` (${event.event})`}`, {
      wire: 'event',
      data: excerpt(event.data),
    });
    yield event;
  }
  logger.info(`Wire #${exchange} stream ended after ${count} event(s)`, { wire: 'end' });
}

async function* loggedBytes(chunks: AsyncIterable<Uint8Array>, exchange: number, logger: ConnectorLogger): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    yield chunk;
  }
  logger.info(`Wire #${exchange} body: ${total} bytes`, { wire: 'end' });
}

function requestBody(request: UpstreamRequest): string | undefined {
  if (request.json !== undefined) return JSON.stringify(request.json);
  if (typeof request.body === 'string') return request.body;
  if (request.body !== undefined) return `<${request.body.byteLength} bytes>`;
  return undefined;
}

function redactHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[] | undefined> {
  const copy: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) copy[name] = isSecretKeyName(name) ? REDACTED : value;
  return copy;
}

function excerpt(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const redacted = redact(text);
  return redacted.length > MAX_LOGGED_CHARACTERS ? `${redacted.slice(0, MAX_LOGGED_CHARACTERS)}… (${redacted.length} characters)` : redacted;
}

function redact(text: string): string {
  return redactText(text, { apiKeys: [] });
}
