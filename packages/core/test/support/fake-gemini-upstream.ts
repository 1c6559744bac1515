/**
 * @fileoverview A fake Gemini API (Generative Language API) for tests: a real node:http server on
 * 127.0.0.1 (port 0) speaking the Gemini wire format, `?alt=sse` framing included.
 *
 * ```ts
 * const upstream = await startFakeGeminiUpstream({ apiKeys: ['AIza-test'] });
 * upstream.enqueue({ type: 'answer', chunks: [[{ text: 'Hel' }], [{ text: 'lo' }]], chunkDelayMs: 200 });
 * // point GEMINI_BASE_URL (or backends.<name>.base_url) at upstream.baseUrl ...
 * const seen = await upstream.waitForRequest(0); // method, path, query, headers, body, framesSent
 * await upstream.close();
 * ```
 *
 * Routes (under `/v1beta`): `POST models/{model}:generateContent` answers the next queued reply
 * (a default text answer when none is queued) as one `GenerateContentResponse`;
 * `POST models/{model}:streamGenerateContent` answers it chunk by chunk, as server-sent events
 * `data: {...}\r\n\r\n` with `?alt=sse` and as one JSON array without; `GET models` lists
 * {@link FakeGeminiUpstream.models} (paged by `pageSize`/`pageToken`). With `apiKeys` set, a
 * request whose `x-goog-api-key` (or `key` query parameter) is not one of them gets Google's
 * 400 `API_KEY_INVALID` answer.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson, waitBeforeFrame } from './fake-upstream-http.js';

/** Google sends JSON with an explicit charset. */
const GEMINI_JSON = 'application/json; charset=UTF-8';

/** One part as the upstream sends it. */
export type FakeGeminiPart = Record<string, unknown>;

export interface FakeGeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
}

/** What the fake answers to one generate request. */
export type FakeGeminiReply =
  | {
      type: 'answer';
      /** The parts of each chunk, in order; a whole answer joins them into one content. */
      chunks: FakeGeminiPart[][];
      /** Default `STOP`. */
      finishReason?: string;
      usage?: FakeGeminiUsage;
      modelVersion?: string;
      /** Extra candidate fields (e.g. `safetyRatings`) on the candidate of the last chunk. */
      candidateFields?: Record<string, unknown>;
      /** Wait before each chunk after the first: one number for every gap, or one entry per gap. */
      chunkDelayMs?: number | readonly number[];
      /** Stream only: stop after this many chunks and keep the connection open. */
      stallAfterChunks?: number;
      /** Stream only: end the body after the chunks without a finish reason (a broken stream). */
      omitFinish?: boolean;
    }
  | {
      type: 'error';
      status: number;
      /** The google.rpc status; missing fields get Google-like defaults. */
      error?: { message?: string; status?: string; details?: Array<Record<string, unknown>> };
      headers?: Record<string, string>;
    }
  | {
      /** Exact body bytes, written one string at a time. */
      type: 'raw-stream';
      frames: string[];
      contentType?: string;
      chunkDelayMs?: number | readonly number[];
    }
  /** Reads the request and never answers. */
  | { type: 'hang' };

/** One request the fake received. */
export interface FakeGeminiRequest {
  method: string;
  /** The path without the query, e.g. `/v1beta/models/gemini-2.5-flash:generateContent`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined without one. */
  body: unknown;
  /** Chunks (SSE events or array elements) written so far. */
  framesSent: number;
  /** Resolves when the response was fully written or its connection closed. */
  closed: Promise<{ beforeResponseCompleted: boolean }>;
}

export interface FakeGeminiUpstream {
  /** `http://127.0.0.1:<port>`, to use as GEMINI_BASE_URL or a backend's base_url. */
  readonly baseUrl: string;
  readonly requests: readonly FakeGeminiRequest[];
  /** Served by `GET /v1beta/models`. */
  models: Array<{ name: string; supportedGenerationMethods: string[] }>;
  enqueue(...replies: FakeGeminiReply[]): void;
  waitForRequest(index: number): Promise<FakeGeminiRequest>;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_GEMINI_USAGE: FakeGeminiUsage = {
  promptTokenCount: 12,
  candidatesTokenCount: 5,
  thoughtsTokenCount: 3,
  cachedContentTokenCount: 4,
  totalTokenCount: 20,
};

const DEFAULT_REPLY: FakeGeminiReply = { type: 'answer', chunks: [[{ text: 'Hello' }], [{ text: ' from Gemini' }]] };

/** Google's 429 with a RetryInfo detail. */
export function geminiRateLimitedReply(retryDelay = '7s'): FakeGeminiReply {
  return {
    type: 'error',
    status: 429,
    error: {
      message: 'You exceeded your current quota, please check your plan and billing details.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
      ],
    },
  };
}

/** Google's answer to an unknown API key: 400, not 401. */
export function geminiInvalidKeyReply(): FakeGeminiReply {
  return {
    type: 'error',
    status: 400,
    error: {
      message: 'API key not valid. Please pass a valid API key.',
      status: 'INVALID_ARGUMENT',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      ],
    },
  };
}

export async function startFakeGeminiUpstream(
  options: { apiKeys?: string[]; models?: FakeGeminiUpstream['models'] } = {},
): Promise<FakeGeminiUpstream> {
  const queue: FakeGeminiReply[] = [];
  const requests: FakeGeminiRequest[] = [];
  const waiters = new Map<number, Array<(request: FakeGeminiRequest) => void>>();

  const server = createServer((request, response) => {
    void readBody(request).then(
      (text) => {
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = text;
        }
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        let markClosed!: (value: { beforeResponseCompleted: boolean }) => void;
        const record: FakeGeminiRequest = {
          method: request.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: request.headers,
          body,
          framesSent: 0,
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
        // The client went away while sending its body: nothing to answer.
      },
    );
  });

  async function answer(record: FakeGeminiRequest, response: ServerResponse): Promise<void> {
    const key = (record.headers['x-goog-api-key'] as string | undefined) ?? record.query.get('key') ?? undefined;
    if (options.apiKeys !== undefined && (key === undefined || !options.apiKeys.includes(key))) {
      sendError(response, geminiInvalidKeyReply() as Extract<FakeGeminiReply, { type: 'error' }>);
      return;
    }
    if (record.method === 'GET' && record.path === '/v1beta/models') {
      const pageSize = Number(record.query.get('pageSize') ?? 50);
      const offset = Number(record.query.get('pageToken') ?? 0);
      const page = upstream.models.slice(offset, offset + pageSize).map((model) => ({
        ...model,
        version: '001',
        displayName: model.name.replace(/^models\//, ''),
        inputTokenLimit: 1_048_576,
        outputTokenLimit: 65_536,
      }));
      const next = offset + pageSize < upstream.models.length ? { nextPageToken: String(offset + pageSize) } : {};
      sendJson(response, 200, { models: page, ...next }, GEMINI_JSON);
      return;
    }
    const match = /^\/v1beta\/models\/(.+):(generateContent|streamGenerateContent)$/.exec(record.path);
    if (record.method !== 'POST' || match === null) {
      sendError(response, { type: 'error', status: 404, error: { message: `Method not found: ${record.method} ${record.path}`, status: 'NOT_FOUND' } });
      return;
    }
    const model = match[1] as string;
    const reply = queue.shift() ?? DEFAULT_REPLY;
    switch (reply.type) {
      case 'error':
        sendError(response, reply);
        return;
      case 'hang':
        return;
      case 'raw-stream':
        response.writeHead(200, { 'content-type': reply.contentType ?? 'text/event-stream' });
        for (const [index, frame] of reply.frames.entries()) {
          await waitBeforeFrame(index, reply.chunkDelayMs);
          if (response.destroyed) return;
          response.write(frame);
          record.framesSent += 1;
        }
        response.end();
        return;
      case 'answer':
        if (match[2] === 'streamGenerateContent') await streamAnswer(record, response, reply, model);
        else sendJson(response, 200, wholeAnswer(reply, model), GEMINI_JSON);
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const upstream: FakeGeminiUpstream = {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    models: options.models ?? [
      { name: 'models/gemini-2.5-flash', supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'] },
      { name: 'models/gemini-2.5-pro', supportedGenerationMethods: ['generateContent', 'countTokens'] },
      { name: 'models/text-embedding-004', supportedGenerationMethods: ['embedContent'] },
    ],
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

type AnswerReply = Extract<FakeGeminiReply, { type: 'answer' }>;

function wholeAnswer(reply: AnswerReply, model: string): object {
  return {
    candidates: [
      {
        content: { parts: reply.chunks.flat(), role: 'model' },
        finishReason: reply.finishReason ?? 'STOP',
        index: 0,
        ...reply.candidateFields,
      },
    ],
    usageMetadata: reply.usage ?? DEFAULT_FAKE_GEMINI_USAGE,
    modelVersion: reply.modelVersion ?? model,
    responseId: 'fake-response-0001',
  };
}

async function streamAnswer(record: FakeGeminiRequest, response: ServerResponse, reply: AnswerReply, model: string): Promise<void> {
  const sse = record.query.get('alt') === 'sse';
  const usage = reply.usage ?? DEFAULT_FAKE_GEMINI_USAGE;
  const chunks = reply.chunks.map((parts, index) => {
    const last = index === reply.chunks.length - 1;
    const candidate: Record<string, unknown> = { content: { parts, role: 'model' }, index: 0 };
    if (last && reply.omitFinish !== true) Object.assign(candidate, { finishReason: reply.finishReason ?? 'STOP' }, reply.candidateFields);
    return JSON.stringify({
      candidates: [candidate],
      // Gemini repeats usage on every chunk; only the last one is complete.
      usageMetadata: last ? usage : { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount },
      modelVersion: reply.modelVersion ?? model,
      responseId: 'fake-response-0002',
    });
  });
  response.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8' });
  for (const [index, chunk] of chunks.entries()) {
    if (reply.stallAfterChunks !== undefined && index >= reply.stallAfterChunks) return;
    await waitBeforeFrame(index, reply.chunkDelayMs);
    if (response.destroyed) return;
    response.write(sse ? `data: ${chunk}\r\n\r\n` : `${index === 0 ? '[' : ',\r\n'}${chunk}`);
    record.framesSent += 1;
  }
  response.end(sse ? undefined : ']');
}

function sendError(response: ServerResponse, reply: Extract<FakeGeminiReply, { type: 'error' }>): void {
  const error = {
    code: reply.status,
    message: reply.error?.message ?? `Fake upstream error ${reply.status}`,
    status: reply.error?.status ?? (reply.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'),
    ...(reply.error?.details === undefined ? {} : { details: reply.error.details }),
  };
  response.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
  response.end(JSON.stringify({ error }, null, 2));
}

