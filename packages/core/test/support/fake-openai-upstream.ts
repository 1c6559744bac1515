/**
 * @fileoverview A fake OpenAI API for tests and benchmarks: a real node:http server on
 * 127.0.0.1 (port 0) speaking the Chat Completions wire format, SSE framing included.
 *
 * ```ts
 * const upstream = await startFakeOpenAIUpstream({ apiKey: 'sk-test' });
 * upstream.enqueue({ type: 'answer', text: ['Hel', 'lo'], chunkDelayMs: 200 });
 * // point OPENAI_BASE_URL (or backends.<name>.base_url) at upstream.baseUrl ...
 * const seen = await upstream.waitForRequest(0); // method, path, headers, body, framesSent
 * await seen.closed;                             // { beforeResponseCompleted } once its connection closed
 * await upstream.close();
 * ```
 *
 * Routes: `POST /v1/chat/completions` answers with the next queued reply (a default text
 * answer when none is queued), as JSON or, when the request says `stream: true`, as SSE chunks
 * ending in `data: [DONE]` (plus a usage chunk when `stream_options.include_usage`).
 * `GET /v1/models` lists {@link FakeOpenAIUpstream.models}. With `apiKey` set, a request
 * without `Authorization: Bearer <apiKey>` gets OpenAI's 401 body.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson, waitBeforeFrame } from './fake-upstream-http.js';

export interface FakeToolCall {
  id: string;
  name: string;
  /** The arguments JSON text, split into the pieces the stream sends (joined for a JSON answer). */
  argumentPieces: string[];
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: Record<string, number>;
  completion_tokens_details?: Record<string, number>;
}

/** What the fake answers to one chat completion request. */
export type FakeChatReply =
  | {
      type: 'answer';
      /** Text pieces, one chunk each when streamed. */
      text?: string[];
      /** Reasoning pieces, sent as `reasoning_content` (as DeepSeek and vLLM do) before the text. */
      reasoning?: string[];
      /** Tool calls, streamed one after another: a chunk with index, id and name, then one chunk per argument piece. */
      toolCalls?: FakeToolCall[];
      /** Default `tool_calls` when there are tool calls, else `stop`. */
      finishReason?: string;
      usage?: FakeUsage;
      model?: string;
      /**
       * Wait before each stream chunk after the first, so tests can see a chunk arrive before the
       * next is sent: one number for every gap, or one entry per gap (missing entries wait 0).
       */
      chunkDelayMs?: number | readonly number[];
      /** Stream only: stop after this many data frames and keep the connection open (for abort and timeout tests). */
      stallAfterFrames?: number;
      /** Answer with JSON even when the request asked for a stream, as some servers do. */
      ignoreStream?: boolean;
    }
  | {
      type: 'error';
      status: number;
      /** The `error` object; missing fields get OpenAI-like defaults. */
      error?: { message?: string; type?: string; param?: string | null; code?: string | null };
      headers?: Record<string, string>;
      /** Sent instead of a JSON error body (e.g. an HTML error page from a gateway). */
      rawBody?: string;
    }
  | {
      /** Exact SSE bytes, written one string at a time (a frame may be split across strings). */
      type: 'raw-stream';
      frames: string[];
      chunkDelayMs?: number | readonly number[];
      /** Leave the connection open after the last frame. */
      keepOpen?: boolean;
    }
  /** Reads the request and never answers. */
  | { type: 'hang' };

/** One request the fake received. */
export interface FakeUpstreamRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined without one. */
  body: unknown;
  /** The client's port: equal ports on two requests mean a reused keep-alive connection. */
  remotePort: number;
  /** SSE data frames written so far, `[DONE]` included. */
  framesSent: number;
  /** Resolves when the response was fully written or its connection closed, whichever comes first. */
  closed: Promise<{ beforeResponseCompleted: boolean }>;
}

export interface FakeOpenAIUpstream {
  /** `http://127.0.0.1:<port>/v1`, to use as OPENAI_BASE_URL or a backend's base_url. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: readonly FakeUpstreamRequest[];
  /** Model ids served by `GET /v1/models`. */
  models: string[];
  /** Queues replies for the next chat completion requests, first in first out. */
  enqueue(...replies: FakeChatReply[]): void;
  /** Resolves with the request at `index` (0-based) once it arrived. */
  waitForRequest(index: number): Promise<FakeUpstreamRequest>;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

export const DEFAULT_FAKE_USAGE: FakeUsage = {
  prompt_tokens: 11,
  completion_tokens: 7,
  total_tokens: 18,
  prompt_tokens_details: { cached_tokens: 3, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

const DEFAULT_REPLY: FakeChatReply = { type: 'answer', text: ['Hello', ' from', ' the fake upstream'] };

/** OpenAI's 429, with the `retry-after` header it sends. */
export function rateLimitedReply(retryAfterSeconds = 7): FakeChatReply {
  return {
    type: 'error',
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    error: {
      message: 'Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    },
  };
}

/** OpenAI's 500. */
export function serverErrorReply(): FakeChatReply {
  return {
    type: 'error',
    status: 500,
    error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
  };
}

export async function startFakeOpenAIUpstream(options: { apiKey?: string; models?: string[] } = {}): Promise<FakeOpenAIUpstream> {
  const queue: FakeChatReply[] = [];
  const requests: FakeUpstreamRequest[] = [];
  const waiters = new Map<number, Array<(request: FakeUpstreamRequest) => void>>();

  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      let markClosed!: (value: { beforeResponseCompleted: boolean }) => void;
      const record: FakeUpstreamRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body,
        remotePort: request.socket.remotePort ?? 0,
        framesSent: 0,
        closed: new Promise((resolve) => (markClosed = resolve)),
      };
      response.once('finish', () => markClosed({ beforeResponseCompleted: false }));
      response.once('close', () => markClosed({ beforeResponseCompleted: !response.writableFinished }));
      const index = requests.push(record) - 1;
      for (const resolve of waiters.get(index) ?? []) resolve(record);
      waiters.delete(index);
      void answer(record, response);
    }, () => {
      // The client went away while sending its body: nothing to answer.
    });
  });

  async function answer(record: FakeUpstreamRequest, response: ServerResponse): Promise<void> {
    if (options.apiKey !== undefined && record.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendError(response, {
        type: 'error',
        status: 401,
        error: {
          message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
      return;
    }
    const path = record.path.split('?')[0];
    if (record.method === 'GET' && path === '/v1/models') {
      sendJson(response, 200, {
        object: 'list',
        data: upstream.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'openai' })),
      });
      return;
    }
    if (record.method !== 'POST' || path !== '/v1/chat/completions') {
      sendError(response, { type: 'error', status: 404, error: { message: `Unknown request URL: ${record.method} ${record.path}.`, code: 'unknown_url' } });
      return;
    }
    const reply = queue.shift() ?? DEFAULT_REPLY;
    const chatBody = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    switch (reply.type) {
      case 'error':
        sendError(response, reply);
        return;
      case 'hang':
        return;
      case 'raw-stream':
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        for (const [index, frame] of reply.frames.entries()) {
          await waitBeforeFrame(index, reply.chunkDelayMs);
          if (response.destroyed) return;
          response.write(frame);
          record.framesSent += 1;
        }
        if (reply.keepOpen !== true) response.end();
        return;
      case 'answer':
        if (chatBody['stream'] === true && reply.ignoreStream !== true) await streamAnswer(record, response, reply, chatBody);
        else sendJson(response, 200, completionOf(reply, chatBody));
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const upstream: FakeOpenAIUpstream = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    models: options.models ?? ['gpt-4o-mini', 'gpt-4o'],
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

type AnswerReply = Extract<FakeChatReply, { type: 'answer' }>;

function completionOf(reply: AnswerReply, request: Record<string, unknown>): object {
  const toolCalls = reply.toolCalls ?? [];
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: reply.text === undefined ? (toolCalls.length > 0 ? null : '') : reply.text.join(''),
    refusal: null,
    annotations: [],
  };
  if (reply.reasoning !== undefined) message['reasoning_content'] = reply.reasoning.join('');
  if (toolCalls.length > 0) {
    message['tool_calls'] = toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.argumentPieces.join('') },
    }));
  }
  return {
    id: 'chatcmpl-fake0001',
    object: 'chat.completion',
    created: 1_700_000_001,
    model: reply.model ?? modelOf(request),
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(reply) }],
    usage: reply.usage ?? DEFAULT_FAKE_USAGE,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

async function streamAnswer(
  record: FakeUpstreamRequest,
  response: ServerResponse,
  reply: AnswerReply,
  request: Record<string, unknown>,
): Promise<void> {
  const streamOptions = request['stream_options'] as { include_usage?: unknown } | undefined;
  const includeUsage = streamOptions?.include_usage === true;
  const base = {
    id: 'chatcmpl-fake0002',
    object: 'chat.completion.chunk',
    created: 1_700_000_002,
    model: reply.model ?? modelOf(request),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
  const chunkOf = (delta: object, finishReason: string | null = null): string =>
    JSON.stringify({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });

  const frames: string[] = [chunkOf({ role: 'assistant', content: '', refusal: null })];
  for (const piece of reply.reasoning ?? []) frames.push(chunkOf({ reasoning_content: piece }));
  for (const piece of reply.text ?? []) frames.push(chunkOf({ content: piece }));
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    frames.push(chunkOf({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of call.argumentPieces) frames.push(chunkOf({ tool_calls: [{ index, function: { arguments: piece } }] }));
  }
  frames.push(chunkOf({}, finishReasonOf(reply)));
  if (includeUsage) frames.push(JSON.stringify({ ...base, choices: [], usage: reply.usage ?? DEFAULT_FAKE_USAGE }));
  frames.push('[DONE]');

  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const [index, frame] of frames.entries()) {
    if (reply.stallAfterFrames !== undefined && index >= reply.stallAfterFrames) return;
    await waitBeforeFrame(index, reply.chunkDelayMs);
    if (response.destroyed) return;
    response.write(`data: ${frame}\n\n`);
    record.framesSent += 1;
  }
  response.end();
}

function sendError(response: ServerResponse, reply: Extract<FakeChatReply, { type: 'error' }>): void {
  if (reply.rawBody !== undefined) {
    response.writeHead(reply.status, { 'content-type': 'text/html', ...reply.headers });
    response.end(reply.rawBody);
    return;
  }
  const error = {
    message: reply.error?.message ?? `Fake upstream error ${reply.status}`,
    type: reply.error?.type ?? (reply.status >= 500 ? 'server_error' : 'invalid_request_error'),
    param: reply.error?.param ?? null,
    code: reply.error?.code ?? null,
  };
  response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  response.end(JSON.stringify({ error }));
}

function finishReasonOf(reply: AnswerReply): string {
  return reply.finishReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

function modelOf(request: Record<string, unknown>): string {
  return typeof request['model'] === 'string' ? request['model'] : 'gpt-4o-mini';
}
