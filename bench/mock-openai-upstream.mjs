/**
 * @fileoverview A minimal, fast OpenAI upstream for the benchmark: `POST /v1/chat/completions`
 * answers a fixed chat.completion, or with `"stream": true` a short SSE stream whose first
 * frame leaves at once and the rest after a short pause, so a proxy that buffers a stream shows
 * it in time-to-first-byte. A streamed request whose last message says `stream <n> events`
 * gets n content events instead, each written on its own turn of the event loop (so each
 * leaves as its own TCP segment), for the per-event cost. One whose last message says `slow stream <n> events every <ms> ms` gets
n content events numbered 0 to n-1 (`#<number>`), one every ms milliseconds, then the end: the
open-streams scale test. `GET /v1/models` lists the one model.
 *
 * Run alone: `node bench/mock-openai-upstream.mjs [--stream-gap-ms 5]`; prints
 * `mock upstream listening on http://127.0.0.1:<port>`.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { LONG_STREAM_REQUEST, MODEL, SLOW_STREAM_REQUEST, chatCompletion, chatCompletionStreamFrames, longStreamFrames, slowStreamFrame } from './workload.mjs';
import { listenOnLoopback } from './listen-on-loopback.mjs';

const COMPLETION = Buffer.from(JSON.stringify(chatCompletion()));
const MODELS = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', created: 1_700_000_000, owned_by: 'bench' }] }));
const STREAM_FRAMES = chatCompletionStreamFrames().map((frame) => Buffer.from(frame));

/**
 * @param {{ streamGapMs?: number }} [options]
 * @returns {Promise<{ server: http.Server, url: string }>}
 */
export async function startMockOpenAIUpstream(options = {}) {
  const streamGapMs = options.streamGapMs ?? 5;
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/v1/models') {
      sendJson(response, 200, MODELS);
      request.resume();
      return;
    }
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      sendJson(response, 404, Buffer.from(JSON.stringify({ error: { message: `No route ${request.method} ${request.url}`, type: 'invalid_request_error', param: null, code: null } })));
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
        sendJson(response, 400, Buffer.from(JSON.stringify({ error: { message: 'Invalid JSON body', type: 'invalid_request_error', param: null, code: null } })));
        return;
      }
      const lastMessage = String(body?.messages?.at(-1)?.content ?? '');
      const longStream = body?.stream === true ? LONG_STREAM_REQUEST.exec(lastMessage) : null;
      const slowStream = body?.stream === true ? SLOW_STREAM_REQUEST.exec(lastMessage) : null;
      if (longStream !== null) sendLongStream(response, Math.min(Number(longStream[1]), 100_000));
      else if (slowStream !== null) sendSlowStream(response, Math.min(Number(slowStream[1]), 100_000), Math.max(Number(slowStream[2]), 1));
      else if (body?.stream === true) sendStream(response, streamGapMs);
      else sendJson(response, 200, COMPLETION);
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

/** @param {http.ServerResponse} response @param {number} gapMs */
function sendStream(response, gapMs) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const [first, ...rest] = STREAM_FRAMES;
  response.write(first);
  setTimeout(() => {
    for (const frame of rest) response.write(frame);
    response.end();
  }, gapMs);
}

/** @param {http.ServerResponse} response @param {number} events */
function sendLongStream(response, events) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const frames = longStreamFrames(events);
  let next = 0;
  const writeOne = () => {
    if (response.destroyed) return;
    response.write(frames[next]);
    next += 1;
    if (next < frames.length) setImmediate(writeOne);
    else response.end();
  };
  writeOne();
}

/**
 * The slow streams' clock: per interval, one timer for all streams, firing SLOW_STREAM_PHASES
 * times per interval and serving one phase's streams each time, so the mock spends a few system
 * calls per event (a timer per stream cost it more than the proxy it feeds) and the streams' events
 * are spread over the interval as independent clients' would be, not written in one burst.
 */
const SLOW_STREAM_PHASES = 10;
/** @type {Map<number, { timer: NodeJS.Timeout, tick: number, phases: Set<SlowStream>[], joined: number }>} by interval */
const slowStreamClocks = new Map();
/** The frames of event 0, 1, …, built once and shared by every slow stream. */
const slowStreamFrames = [];

/** @typedef {{ response: http.ServerResponse, sequence: number, events: number }} SlowStream */

/** @param {number} sequence */
function slowStreamFrameBytes(sequence) {
  for (let next = slowStreamFrames.length; next <= sequence; next += 1) slowStreamFrames.push(Buffer.from(slowStreamFrame(next)));
  return slowStreamFrames[sequence];
}

/** @param {http.ServerResponse} response @param {number} events @param {number} intervalMs */
function sendSlowStream(response, events, intervalMs) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(STREAM_FRAMES[0]);
  let clock = slowStreamClocks.get(intervalMs);
  if (clock === undefined) {
    const phases = Array.from({ length: SLOW_STREAM_PHASES }, () => new Set());
    const started = { timer: setInterval(() => writeSlowStreamPhase(started), intervalMs / SLOW_STREAM_PHASES), tick: 0, phases, joined: 0 };
    clock = started;
    slowStreamClocks.set(intervalMs, clock);
  }
  const phase = clock.phases[clock.joined % SLOW_STREAM_PHASES];
  clock.joined += 1;
  /** @type {SlowStream} */
  const stream = { response, sequence: 0, events };
  phase.add(stream);
  response.once('close', () => phase.delete(stream));
}

/** Writes the next event of every stream in this tick's phase; a finished stream gets its end. */
function writeSlowStreamPhase(clock) {
  const phase = clock.phases[clock.tick % SLOW_STREAM_PHASES];
  clock.tick += 1;
  const [, , , , stop, done] = STREAM_FRAMES;
  for (const stream of phase) {
    stream.response.write(slowStreamFrameBytes(stream.sequence));
    stream.sequence += 1;
    if (stream.sequence < stream.events) continue;
    phase.delete(stream);
    stream.response.write(stop);
    stream.response.end(done);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { 'stream-gap-ms': { type: 'string', default: '5' } } });
  const { server, url } = await startMockOpenAIUpstream({ streamGapMs: Number(values['stream-gap-ms']) });
  process.stdout.write(`mock upstream listening on ${url}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
