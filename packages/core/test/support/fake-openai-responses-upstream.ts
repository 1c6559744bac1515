/**
 * @fileoverview A fake OpenAI Responses API for tests: a real node:http server on 127.0.0.1
 * (port 0) answering `POST /v1/responses` as JSON or, when the request says `stream: true`, as
 * the API's server-sent events (`event: <type>` + `data: {...,"sequence_number":n}`), in the
 * order the live API sends them.
 *
 * ```ts
 * const upstream = await startFakeResponsesUpstream({ apiKey: 'sk-test' });
 * upstream.enqueue({ type: 'answer', text: ['Hel', 'lo'], eventDelayMs: 50 });
 * // point OPENAI_BASE_URL (or backends.<name>.base_url) at upstream.baseUrl ...
 * const seen = await upstream.waitForRequest(0);
 * await upstream.close();
 * ```
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './fake-upstream-http.js';

export interface FakeResponsesToolCall {
  callId: string;
  name: string;
  /** The arguments JSON text in the pieces the stream sends. */
  argumentPieces: string[];
}

export interface FakeResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type FakeResponsesReply =
  | {
      type: 'answer';
      /** Reasoning summary pieces (one summary part), streamed before the text. */
      reasoningSummary?: string[];
      /** The reasoning item's encrypted_content. */
      encryptedContent?: string;
      text?: string[];
      toolCalls?: FakeResponsesToolCall[];
      /** `incomplete` ends with `response.incomplete` and incomplete_details.reason. */
      status?: 'completed' | 'incomplete';
      incompleteReason?: 'max_output_tokens' | 'content_filter';
      usage?: FakeResponsesUsage;
      model?: string;
      /** Wait before each event after the first. */
      eventDelayMs?: number;
      /** Send no delta events, only the `.done` and item events (as some servers do). */
      withoutDeltas?: boolean;
      /** Stop after this many events and keep the connection open. */
      stallAfterEvents?: number;
      /** End the stream after this many events without a terminal event. */
      cutAfterEvents?: number;
    }
  | {
      /** The stream starts, then fails: `response.failed` (or the `error` event) after the created/in-progress events. */
      type: 'fail-mid-stream';
      how: 'response.failed' | 'error-event';
      code: string;
      message: string;
    }
  | {
      type: 'error';
      status: number;
      error?: { message?: string; type?: string; param?: string | null; code?: string | null };
      headers?: Record<string, string>;
    };

export interface FakeResponsesRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeResponsesUpstream {
  /** `http://127.0.0.1:<port>/v1`. */
  readonly baseUrl: string;
  readonly requests: readonly FakeResponsesRequest[];
  enqueue(...replies: FakeResponsesReply[]): void;
  waitForRequest(index: number): Promise<FakeResponsesRequest>;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_RESPONSES_USAGE: FakeResponsesUsage = {
  input_tokens: 21,
  input_tokens_details: { cached_tokens: 5 },
  output_tokens: 13,
  output_tokens_details: { reasoning_tokens: 4 },
  total_tokens: 34,
};

export async function startFakeResponsesUpstream(options: { apiKey?: string } = {}): Promise<FakeResponsesUpstream> {
  const queue: FakeResponsesReply[] = [];
  const requests: FakeResponsesRequest[] = [];
  const waiters = new Map<number, Array<(request: FakeResponsesRequest) => void>>();

  const server = createServer((request, response) => {
    void readBody(request).then(
      (text) => {
        const record: FakeResponsesRequest = {
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: request.headers,
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
        };
        const index = requests.push(record) - 1;
        for (const resolve of waiters.get(index) ?? []) resolve(record);
        waiters.delete(index);
        void answer(record, response);
      },
      () => undefined,
    );
  });

  async function answer(record: FakeResponsesRequest, response: ServerResponse): Promise<void> {
    if (options.apiKey !== undefined && record.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendError(response, { type: 'error', status: 401, error: { message: 'Incorrect API key provided.', code: 'invalid_api_key' } });
      return;
    }
    if (record.method !== 'POST' || record.path !== '/v1/responses') {
      sendError(response, { type: 'error', status: 404, error: { message: `Unknown request URL: ${record.method} ${record.path}.`, code: 'unknown_url' } });
      return;
    }
    const body = (record.body ?? {}) as Record<string, unknown>;
    const reply = queue.shift() ?? { type: 'answer', text: ['Hello from', ' the Responses fake'] };
    if (reply.type === 'error') {
      sendError(response, reply);
      return;
    }
    const model = typeof body['model'] === 'string' ? body['model'] : 'gpt-5';
    if (body['stream'] !== true) {
      if (reply.type !== 'answer') throw new Error('fail-mid-stream needs a streaming request');
      const events = answerEvents(reply, model);
      const last = events.at(-1) as { response: unknown };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(last.response));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const events = reply.type === 'answer' ? answerEvents(reply, model) : failingEvents(reply, model);
    const delay = reply.type === 'answer' ? (reply.eventDelayMs ?? 0) : 0;
    for (const [index, event] of events.entries()) {
      if (reply.type === 'answer' && reply.stallAfterEvents !== undefined && index >= reply.stallAfterEvents) return;
      if (reply.type === 'answer' && reply.cutAfterEvents !== undefined && index >= reply.cutAfterEvents) break;
      if (index > 0 && delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (response.destroyed) return;
      const type = (event as { type: string }).type;
      response.write(`event: ${type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`);
    }
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    waitForRequest(index) {
      const existing = requests[index];
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve) => waiters.set(index, [...(waiters.get(index) ?? []), resolve]));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function responseObject(model: string, status: string, output: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'resp_fake0001',
    object: 'response',
    created_at: 1_700_000_100,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...extra,
  };
}

/** The events of a streamed answer, in the live API's order; the last one carries the whole response. */
function answerEvents(reply: Extract<FakeResponsesReply, { type: 'answer' }>, model: string): object[] {
  const events: object[] = [];
  const output: Array<Record<string, unknown>> = [];
  const deltas = reply.withoutDeltas !== true;
  events.push({ type: 'response.created', response: responseObject(model, 'in_progress', []) });
  events.push({ type: 'response.in_progress', response: responseObject(model, 'in_progress', []) });

  if (reply.reasoningSummary !== undefined || reply.encryptedContent !== undefined) {
    const outputIndex = output.length;
    const id = 'rs_fake0001';
    const summaryText = (reply.reasoningSummary ?? []).join('');
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { id, type: 'reasoning', summary: [] } });
    if (reply.reasoningSummary !== undefined) {
      const location = { item_id: id, output_index: outputIndex, summary_index: 0 };
      events.push({ type: 'response.reasoning_summary_part.added', ...location, part: { type: 'summary_text', text: '' } });
      if (deltas) for (const delta of reply.reasoningSummary) events.push({ type: 'response.reasoning_summary_text.delta', ...location, delta });
      events.push({ type: 'response.reasoning_summary_text.done', ...location, text: summaryText });
      events.push({ type: 'response.reasoning_summary_part.done', ...location, part: { type: 'summary_text', text: summaryText } });
    }
    const item = {
      id,
      type: 'reasoning',
      summary: reply.reasoningSummary === undefined ? [] : [{ type: 'summary_text', text: summaryText }],
      ...(reply.encryptedContent === undefined ? {} : { encrypted_content: reply.encryptedContent }),
    };
    output.push(item);
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  }

  if (reply.text !== undefined) {
    const outputIndex = output.length;
    const id = 'msg_fake0001';
    const text = reply.text.join('');
    const location = { item_id: id, output_index: outputIndex, content_index: 0 };
    events.push({
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    });
    events.push({ type: 'response.content_part.added', ...location, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    if (deltas) for (const delta of reply.text) events.push({ type: 'response.output_text.delta', ...location, delta, logprobs: [] });
    events.push({ type: 'response.output_text.done', ...location, text, logprobs: [] });
    const part = { type: 'output_text', annotations: [], logprobs: [], text };
    events.push({ type: 'response.content_part.done', ...location, part });
    const item = { id, type: 'message', status: 'completed', content: [part], role: 'assistant' };
    output.push(item);
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  }

  for (const [callNumber, call] of (reply.toolCalls ?? []).entries()) {
    const outputIndex = output.length;
    const id = `fc_fake000${callNumber}`;
    const argumentsText = call.argumentPieces.join('');
    events.push({
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { id, type: 'function_call', status: 'in_progress', arguments: '', call_id: call.callId, name: call.name },
    });
    if (deltas) {
      for (const delta of call.argumentPieces) events.push({ type: 'response.function_call_arguments.delta', item_id: id, output_index: outputIndex, delta });
    }
    events.push({ type: 'response.function_call_arguments.done', item_id: id, output_index: outputIndex, arguments: argumentsText });
    const item = { id, type: 'function_call', status: 'completed', arguments: argumentsText, call_id: call.callId, name: call.name };
    output.push(item);
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  }

  const usage = reply.usage ?? DEFAULT_FAKE_RESPONSES_USAGE;
  if (reply.status === 'incomplete') {
    events.push({
      type: 'response.incomplete',
      response: responseObject(model, 'incomplete', output, { usage, incomplete_details: { reason: reply.incompleteReason ?? 'max_output_tokens' } }),
    });
  } else {
    events.push({ type: 'response.completed', response: responseObject(model, 'completed', output, { usage }) });
  }
  return events;
}

function failingEvents(reply: Extract<FakeResponsesReply, { type: 'fail-mid-stream' }>, model: string): object[] {
  const events: object[] = [
    { type: 'response.created', response: responseObject(model, 'in_progress', []) },
    { type: 'response.in_progress', response: responseObject(model, 'in_progress', []) },
  ];
  if (reply.how === 'error-event') {
    // The live API nests the fields under `error`.
    events.push({ type: 'error', error: { type: 'server_error', code: reply.code, message: reply.message, param: null } });
  } else {
    events.push({
      type: 'response.failed',
      response: responseObject(model, 'failed', [], { error: { code: reply.code, message: reply.message } }),
    });
  }
  return events;
}

function sendError(response: ServerResponse, reply: Extract<FakeResponsesReply, { type: 'error' }>): void {
  const error = {
    message: reply.error?.message ?? `Fake upstream error ${reply.status}`,
    type: reply.error?.type ?? (reply.status >= 500 ? 'server_error' : 'invalid_request_error'),
    param: reply.error?.param ?? null,
    code: reply.error?.code ?? null,
  };
  response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  response.end(JSON.stringify({ error }));
}

