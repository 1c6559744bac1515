/**
 * @fileoverview A minimal, fast Anthropic upstream for the benchmark: `POST /v1/messages` with
 * `"stream": true` answers the Messages event sequence, whose first events (`message_start`,
 * `content_block_start`) leave at once and the rest after a short pause, like the OpenAI mock;
 * without `stream` it answers the same text as one message. `GET /v1/models` lists the one model.
 *
 * Run alone: `node bench/mock-anthropic-upstream.mjs [--stream-gap-ms 5]`; prints
 * `mock anthropic upstream listening on http://127.0.0.1:<port>`.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ANSWER_TEXT, ANTHROPIC_MODEL, anthropicMessageStreamEvents } from './workload.mjs';
import { listenOnLoopback } from './listen-on-loopback.mjs';

const MESSAGE = Buffer.from(
  JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: ANTHROPIC_MODEL,
    content: [{ type: 'text', text: ANSWER_TEXT }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 14, output_tokens: 7 },
  }),
);
const MODELS = Buffer.from(
  JSON.stringify({
    data: [{ type: 'model', id: ANTHROPIC_MODEL, display_name: ANTHROPIC_MODEL, created_at: '2025-01-01T00:00:00Z' }],
    has_more: false,
    first_id: ANTHROPIC_MODEL,
    last_id: ANTHROPIC_MODEL,
  }),
);
const { first: FIRST_EVENTS, rest: REST_EVENTS } = anthropicMessageStreamEvents();
const FIRST = Buffer.from(FIRST_EVENTS.join(''));
const REST = REST_EVENTS.map((event) => Buffer.from(event));

/**
 * @param {{ streamGapMs?: number }} [options]
 * @returns {Promise<{ server: http.Server, url: string }>}
 */
export async function startMockAnthropicUpstream(options = {}) {
  const streamGapMs = options.streamGapMs ?? 5;
  const server = http.createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'GET' && path === '/v1/models') {
      sendJson(response, 200, MODELS);
      request.resume();
      return;
    }
    if (request.method !== 'POST' || path !== '/v1/messages') {
      sendError(response, 404, 'not_found_error', `No route ${request.method} ${request.url}`);
      request.resume();
      return;
    }
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        sendError(response, 400, 'invalid_request_error', 'Invalid JSON body');
        return;
      }
      if (body?.stream === true) sendStream(response, streamGapMs);
      else sendJson(response, 200, MESSAGE);
    });
  });
  server.keepAliveTimeout = 60_000;
  return listenOnLoopback(server);
}

/** @param {http.ServerResponse} response @param {number} status @param {Buffer} body */
function sendJson(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  response.end(body);
}

/** @param {http.ServerResponse} response @param {number} status @param {string} type @param {string} message */
function sendError(response, status, type, message) {
  sendJson(response, status, Buffer.from(JSON.stringify({ type: 'error', error: { type, message } })));
}

/** @param {http.ServerResponse} response @param {number} gapMs */
function sendStream(response, gapMs) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(FIRST);
  setTimeout(() => {
    for (const event of REST) response.write(event);
    response.end();
  }, gapMs);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { 'stream-gap-ms': { type: 'string', default: '5' } } });
  const { server, url } = await startMockAnthropicUpstream({ streamGapMs: Number(values['stream-gap-ms']) });
  process.stdout.write(`mock anthropic upstream listening on ${url}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
