/**
 * @fileoverview A scripted {@link UpstreamHttpClient} for a connector's own tests, when a real
 * fake server on 127.0.0.1 would be more than the test needs: each request gets the next
 * scripted answer whose matcher accepts it (JSON, text, server-sent events or an error status),
 * and every request is recorded. It behaves as core's client does: error statuses resolve,
 * events are yielded one at a time (the `[DONE]` terminator included, as sent), and an aborted
 * signal rejects the send or ends the stream with the signal's reason.
 */
import type { ServerSentEvent, UpstreamHttpClient, UpstreamRequest, UpstreamResponse } from '../upstream-http-client.js';

/** One scripted answer. Give exactly one of `json`, `text` or `events` (none: an empty body). */
export interface FakeUpstreamAnswer {
  /** Which requests this answer is for; default: any. A string must equal the URL exactly. */
  match?: string | RegExp | ((request: UpstreamRequest) => boolean);
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** Server-sent events, sent one by one; a string is an event's `data`. */
  events?: ReadonlyArray<string | ServerSentEvent>;
  /** Milliseconds to wait before each event (default 0), so tests can abort mid-stream. */
  eventIntervalMs?: number;
  /** Answer every matching request, rather than only the first one. */
  repeat?: boolean;
}

export interface FakeUpstreamHttpClient {
  http: UpstreamHttpClient;
  /** Every request sent, in order, with its parsed JSON body. */
  requests: UpstreamRequest[];
  /** Scripted answers not used yet (a test can check that none is left). */
  unusedAnswers(): FakeUpstreamAnswer[];
}

export function createFakeUpstreamHttpClient(answers: readonly FakeUpstreamAnswer[]): FakeUpstreamHttpClient {
  const pending = [...answers];
  const requests: UpstreamRequest[] = [];
  const http: UpstreamHttpClient = {
    async send(request) {
      requests.push(request);
      request.signal.throwIfAborted();
      const index = pending.findIndex((answer) => matches(answer, request));
      if (index === -1) {
        throw new Error(`The fake upstream has no answer for ${request.method} ${request.url} (${pending.length} scripted answers left)`);
      }
      const answer = pending[index]!;
      if (answer.repeat !== true) pending.splice(index, 1);
      return fakeResponse(answer, request.signal);
    },
  };
  return { http, requests, unusedAnswers: () => pending.filter((answer) => answer.repeat !== true) };
}

function matches(answer: FakeUpstreamAnswer, request: UpstreamRequest): boolean {
  const { match } = answer;
  if (match === undefined) return true;
  if (typeof match === 'string') return match === request.url;
  if (match instanceof RegExp) return match.test(request.url);
  return match(request);
}

function fakeResponse(answer: FakeUpstreamAnswer, signal: AbortSignal): UpstreamResponse {
  const events = (answer.events ?? []).map((event): ServerSentEvent => (typeof event === 'string' ? { data: event } : event));
  const text = answer.events !== undefined ? events.map(frameEvent).join('') : answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? '');
  const contentType = answer.events !== undefined ? 'text/event-stream' : answer.json !== undefined ? 'application/json' : 'text/plain';
  const headers: Record<string, string> = { 'content-type': contentType };
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = value;
  let read = false;
  const readOnce = (): void => {
    if (read) throw new Error('The response body was already read: read it once, with text(), json(), events() or bytes()');
    read = true;
  };
  return {
    status: answer.status ?? 200,
    headers,
    text: async () => {
      readOnce();
      return text;
    },
    json: async () => {
      readOnce();
      return JSON.parse(text) as unknown;
    },
    events: () => {
      readOnce();
      return paced(events, answer.eventIntervalMs ?? 0, signal);
    },
    bytes: () => {
      readOnce();
      return paced([new TextEncoder().encode(text)], 0, signal);
    },
    discard: () => {
      read = true;
    },
  };
}

async function* paced<T>(items: readonly T[], intervalMs: number, signal: AbortSignal): AsyncGenerator<T> {
  for (const item of items) {
    if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    signal.throwIfAborted();
    yield item;
  }
}

function frameEvent(event: ServerSentEvent): string {
  const lines = [
    ...(event.event === undefined ? [] : [`event: ${event.event}`]),
    ...(event.id === undefined ? [] : [`id: ${event.id}`]),
    ...event.data.split('\n').map((line) => `data: ${line}`),
  ];
  return `${lines.join('\n')}\n\n`;
}
