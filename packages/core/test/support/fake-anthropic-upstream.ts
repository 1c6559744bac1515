/**
 * @fileoverview A fake Anthropic API for tests and benchmarks: a real node:http server on
 * 127.0.0.1 (port 0) speaking the Messages wire format, SSE framing included
 * (`event: <type>\ndata: <json>\n\n`).
 *
 * ```ts
 * const upstream = await startFakeAnthropicUpstream({ apiKeys: ['sk-ant-test'] });
 * upstream.enqueue({ type: 'answer', blocks: [{ type: 'text', pieces: ['Hel', 'lo'] }], eventDelayMs: 200 });
 * // point ANTHROPIC_BASE_URL (or backends.<name>.base_url) at upstream.baseUrl ...
 * const seen = await upstream.waitForRequest(0); // method, path, headers, body, eventsSent
 * await upstream.close();
 * ```
 *
 * Routes: `POST /v1/messages` answers with the next queued reply (a default text answer when
 * none is queued), as a `message` object or, when the request says `stream: true`, as the
 * Messages event sequence (`message_start`, `ping`, per block `content_block_start` /
 * `content_block_delta`... / `content_block_stop`, `message_delta`, `message_stop`).
 * `POST /v1/messages/count_tokens` answers `{input_tokens: countTokensAnswer}`. `GET /v1/models`
 * lists {@link FakeAnthropicUpstream.models} in pages of `pageSize`. Like Anthropic, it answers
 * 401 to a request without an accepted `x-api-key` (when `apiKeys` is set), and 400 to one
 * without `anthropic-version` or (for messages) without `max_tokens`.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson, waitBeforeFrame } from './fake-upstream-http.js';

/** One content block of a fake answer; the pieces are what the stream sends, one delta each. */
export type FakeAnthropicBlock =
  | { type: 'text'; pieces: string[] }
  | { type: 'thinking'; pieces: string[]; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; inputPieces: string[] };

export interface FakeAnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** What the fake answers to one messages request. */
export type FakeAnthropicReply =
  | {
      type: 'answer';
      blocks?: FakeAnthropicBlock[];
      /** Default `tool_use` when there is a tool_use block, else `end_turn`. */
      stopReason?: string;
      stopSequence?: string | null;
      usage?: FakeAnthropicUsage;
      model?: string;
      /** Wait before each stream event after the first: one number for every gap, or one entry per gap. */
      eventDelayMs?: number | readonly number[];
      /** Stream only: stop after this many events and keep the connection open. */
      stallAfterEvents?: number;
      /** Stream only: after this many events, send an `error` event and end. */
      failAfterEvents?: { events: number; errorType: string; message: string };
      /** Answer with JSON even when the request asked for a stream. */
      ignoreStream?: boolean;
    }
  | {
      type: 'error';
      status: number;
      errorType?: string;
      message?: string;
      headers?: Record<string, string>;
    }
  /** Exact SSE bytes, written one string at a time. */
  | { type: 'raw-stream'; frames: string[]; eventDelayMs?: number | readonly number[] }
  /** Reads the request and never answers. */
  | { type: 'hang' };

export interface FakeAnthropicRequest {
  method: string;
  /** Path and query, e.g. `/v1/messages`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** SSE events written so far. */
  eventsSent: number;
  /** Resolves when the response was fully written or its connection closed. */
  closed: Promise<{ beforeResponseCompleted: boolean }>;
}

export interface FakeAnthropicUpstream {
  /** `http://127.0.0.1:<port>`, the API root without `/v1`, as ANTHROPIC_BASE_URL takes it. */
  readonly baseUrl: string;
  readonly requests: readonly FakeAnthropicRequest[];
  /** Model ids served by `GET /v1/models`. */
  models: string[];
  /** Models per `GET /v1/models` page (the client's `limit` may lower it). */
  pageSize: number;
  /** What `count_tokens` answers. */
  countTokensAnswer: number;
  enqueue(...replies: FakeAnthropicReply[]): void;
  waitForRequest(index: number): Promise<FakeAnthropicRequest>;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_ANTHROPIC_USAGE: FakeAnthropicUsage = {
  input_tokens: 25,
  output_tokens: 12,
  cache_creation_input_tokens: 5,
  cache_read_input_tokens: 10,
};

const DEFAULT_REPLY: FakeAnthropicReply = { type: 'answer', blocks: [{ type: 'text', pieces: ['Hello', ' from', ' Claude'] }] };

/** Anthropic's 429, with its `retry-after` header. */
export function anthropicRateLimitedReply(retryAfterSeconds = 7): FakeAnthropicReply {
  return {
    type: 'error',
    status: 429,
    errorType: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit',
    headers: { 'retry-after': String(retryAfterSeconds) },
  };
}

/** Anthropic's 529. */
export function anthropicOverloadedReply(): FakeAnthropicReply {
  return { type: 'error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' };
}

export async function startFakeAnthropicUpstream(options: { apiKeys?: string[]; models?: string[] } = {}): Promise<FakeAnthropicUpstream> {
  const queue: FakeAnthropicReply[] = [];
  const requests: FakeAnthropicRequest[] = [];
  const waiters = new Map<number, Array<(request: FakeAnthropicRequest) => void>>();

  const server = createServer((request, response) => {
    void readBody(request).then(
      (text) => {
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = text;
        }
        let markClosed!: (value: { beforeResponseCompleted: boolean }) => void;
        const record: FakeAnthropicRequest = {
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: request.headers,
          body,
          eventsSent: 0,
          closed: new Promise((resolve) => (markClosed = resolve)),
        };
        response.once('finish', () => markClosed({ beforeResponseCompleted: false }));
        response.once('close', () => markClosed({ beforeResponseCompleted: !response.writableFinished }));
        const index = requests.push(record) - 1;
        for (const resolve of waiters.get(index) ?? []) resolve(record);
        waiters.delete(index);
        void answer(record, response);
      },
      () => {
        // The client went away while sending its body.
      },
    );
  });

  async function answer(record: FakeAnthropicRequest, response: ServerResponse): Promise<void> {
    const key = record.headers['x-api-key'];
    if (options.apiKeys !== undefined && (typeof key !== 'string' || !options.apiKeys.includes(key))) {
      sendError(response, { type: 'error', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' });
      return;
    }
    if (record.headers['anthropic-version'] === undefined) {
      sendError(response, { type: 'error', status: 400, errorType: 'invalid_request_error', message: 'anthropic-version: header is required' });
      return;
    }
    const url = new URL(record.path, 'http://fake');
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    if (record.method === 'GET' && url.pathname === '/v1/models') {
      sendModelsPage(response, url);
      return;
    }
    if (record.method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
      if (body['max_tokens'] !== undefined) {
        sendError(response, { type: 'error', status: 400, errorType: 'invalid_request_error', message: 'max_tokens: Extra inputs are not permitted' });
        return;
      }
      sendJson(response, 200, { input_tokens: upstream.countTokensAnswer });
      return;
    }
    if (record.method !== 'POST' || url.pathname !== '/v1/messages') {
      sendError(response, { type: 'error', status: 404, errorType: 'not_found_error', message: 'Not Found' });
      return;
    }
    if (typeof body['max_tokens'] !== 'number') {
      sendError(response, { type: 'error', status: 400, errorType: 'invalid_request_error', message: 'max_tokens: Field required' });
      return;
    }
    const reply = queue.shift() ?? DEFAULT_REPLY;
    switch (reply.type) {
      case 'error':
        sendError(response, reply);
        return;
      case 'hang':
        return;
      case 'raw-stream':
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        for (const [index, frame] of reply.frames.entries()) {
          await waitBeforeFrame(index, reply.eventDelayMs);
          if (response.destroyed) return;
          response.write(frame);
          record.eventsSent += 1;
        }
        response.end();
        return;
      case 'answer':
        if (body['stream'] === true && reply.ignoreStream !== true) await streamAnswer(record, response, reply, body);
        else sendJson(response, 200, messageOf(reply, body));
        return;
    }
  }

  function sendModelsPage(response: ServerResponse, url: URL): void {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), upstream.pageSize);
    const afterId = url.searchParams.get('after_id');
    const start = afterId === null ? 0 : upstream.models.indexOf(afterId) + 1;
    const page = upstream.models.slice(start, start + limit);
    sendJson(response, 200, {
      data: page.map((id, index) => ({
        type: 'model',
        id,
        display_name: id.replaceAll('-', ' '),
        created_at: new Date(Date.UTC(2025, 0, 1 + index)).toISOString(),
      })),
      has_more: start + limit < upstream.models.length,
      first_id: page[0] ?? null,
      last_id: page.at(-1) ?? null,
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const upstream: FakeAnthropicUpstream = {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    models: options.models ?? ['claude-sonnet-4-5', 'claude-haiku-4-5'],
    pageSize: 1000,
    countTokensAnswer: 42,
    enqueue(...replies) {
      queue.push(...replies);
    },
    waitForRequest(index) {
      const existing = requests[index];
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve) => {
        const list = waiters.get(index) ?? [];
        list.push(resolve);
        waiters.set(index, list);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstream;
}

type AnswerReply = Extract<FakeAnthropicReply, { type: 'answer' }>;

function blocksOf(reply: AnswerReply): FakeAnthropicBlock[] {
  return reply.blocks ?? [{ type: 'text', pieces: ['Hello'] }];
}

function stopReasonOf(reply: AnswerReply): string {
  return reply.stopReason ?? (blocksOf(reply).some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

function messageOf(reply: AnswerReply, request: Record<string, unknown>): object {
  return {
    id: 'msg_fake0001',
    type: 'message',
    role: 'assistant',
    model: reply.model ?? modelOf(request),
    content: blocksOf(reply).map((block) => {
      switch (block.type) {
        case 'text':
          return { type: 'text', text: block.pieces.join(''), citations: null };
        case 'thinking':
          return { type: 'thinking', thinking: block.pieces.join(''), signature: block.signature };
        case 'redacted_thinking':
          return { type: 'redacted_thinking', data: block.data };
        case 'tool_use':
          return { type: 'tool_use', id: block.id, name: block.name, input: JSON.parse(block.inputPieces.join('') || '{}') };
      }
    }),
    stop_reason: stopReasonOf(reply),
    stop_sequence: reply.stopSequence ?? null,
    usage: reply.usage ?? DEFAULT_FAKE_ANTHROPIC_USAGE,
  };
}

async function streamAnswer(record: FakeAnthropicRequest, response: ServerResponse, reply: AnswerReply, request: Record<string, unknown>): Promise<void> {
  const usage = reply.usage ?? DEFAULT_FAKE_ANTHROPIC_USAGE;
  const events: Array<[string, object]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: 'msg_fake0002',
          type: 'message',
          role: 'assistant',
          model: reply.model ?? modelOf(request),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    ],
    ['ping', { type: 'ping' }],
  ];
  blocksOf(reply).forEach((block, index) => {
    const delta = (payload: object): [string, object] => ['content_block_delta', { type: 'content_block_delta', index, delta: payload }];
    switch (block.type) {
      case 'text':
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
        for (const piece of block.pieces) events.push(delta({ type: 'text_delta', text: piece }));
        break;
      case 'thinking':
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }]);
        for (const piece of block.pieces) events.push(delta({ type: 'thinking_delta', thinking: piece }));
        events.push(delta({ type: 'signature_delta', signature: block.signature }));
        break;
      case 'redacted_thinking':
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: block.data } }]);
        break;
      case 'tool_use':
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }]);
        for (const piece of block.inputPieces) events.push(delta({ type: 'input_json_delta', partial_json: piece }));
        break;
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: stopReasonOf(reply), stop_sequence: reply.stopSequence ?? null },
      usage: { output_tokens: usage.output_tokens },
    },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);

  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_fake' });
  for (const [index, [type, data]] of events.entries()) {
    if (reply.stallAfterEvents !== undefined && index >= reply.stallAfterEvents) return;
    await waitBeforeFrame(index, reply.eventDelayMs);
    if (response.destroyed) return;
    if (reply.failAfterEvents !== undefined && index >= reply.failAfterEvents.events) {
      const { errorType, message } = reply.failAfterEvents;
      response.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: errorType, message } })}\n\n`);
      record.eventsSent += 1;
      return;
    }
    response.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    record.eventsSent += 1;
  }
  response.end();
}

function sendError(response: ServerResponse, reply: Extract<FakeAnthropicReply, { type: 'error' }>): void {
  response.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': 'req_fake_error', ...reply.headers });
  response.end(
    JSON.stringify({
      type: 'error',
      error: { type: reply.errorType ?? (reply.status >= 500 ? 'api_error' : 'invalid_request_error'), message: reply.message ?? `Fake upstream error ${reply.status}` },
    }),
  );
}

function modelOf(request: Record<string, unknown>): string {
  return typeof request['model'] === 'string' ? request['model'] : 'claude-sonnet-4-5';
}

