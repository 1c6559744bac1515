/**
 * @fileoverview A misbehaving upstream for fault tests: one real node:http server on 127.0.0.1
 * (port 0) that answers the four built-in wire formats (OpenAI Chat Completions and Responses,
 * Anthropic Messages, Gemini) with a fault chosen by the request's model name, so many faults can
 * run in parallel through one proxy.
 *
 * ```ts
 * const upstream = await startFaultyUpstream();
 * // backends: { openai: { base_url: `${upstream.url}/v1` }, anthropic: { base_url: upstream.url }, ... }
 * // a request for model `fault-gzip-bomb` gets a gzip bomb from whichever API it called
 * ```
 *
 * Each stream fault that happens "mid-stream" first sends one valid event of the called API, so
 * the proxy has already answered 200 and the failure must reach the client as an in-stream error.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import { readBody } from './fake-upstream-http.js';

export const FAULTS = [
  'reset-before-headers',
  'reset-mid-stream',
  'no-answer',
  'comment-only-stream',
  'trickle',
  'invalid-json',
  'html-502',
  'oversized-body',
  'oversized-event',
  'gzip-bomb',
  'error-event',
] as const;
export type Fault = (typeof FAULTS)[number];

/** The wire format a request arrived in, from its path. */
export type FaultWire = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export interface FaultyUpstreamOptions {
  /** Bytes of the oversized body and event (default 4 MiB). */
  oversizedBytes?: number;
  /** Bytes the gzip bomb inflates to (default 256 MiB, from about 256 KiB on the wire). */
  bombBytes?: number;
}

export interface FaultyUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The faults seen, by wire, in arrival order. */
  readonly seen: Array<{ wire: FaultWire; fault: Fault }>;
  close(): Promise<void>;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

export async function startFaultyUpstream(options: FaultyUpstreamOptions = {}): Promise<FaultyUpstream> {
  const oversizedBytes = options.oversizedBytes ?? 4 * 1024 * 1024;
  const bomb = gzipBomb(options.bombBytes ?? 256 * 1024 * 1024);
  const seen: Array<{ wire: FaultWire; fault: Fault }> = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    void readBody(request).then(
      (text) => {
        const wire = wireOf(request);
        const fault = faultOf(request, text);
        if (wire === undefined || fault === undefined) {
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: `No fault for ${request.method} ${request.url}` } }));
          return;
        }
        seen.push({ wire, fault });
        serveFault(wire, fault, request, response);
      },
      () => undefined,
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  /** Writes `frames` (strings) one after another every `gapMs` until the response closes. */
  function drip(response: ServerResponse, next: () => string, gapMs: number): void {
    const timer = setInterval(() => {
      if (response.destroyed || response.writableEnded) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      response.write(next());
    }, gapMs);
    timers.add(timer);
  }

  function serveFault(wire: FaultWire, fault: Fault, request: IncomingMessage, response: ServerResponse): void {
    switch (fault) {
      case 'reset-before-headers':
        request.socket.destroy();
        return;
      case 'reset-mid-stream':
        response.writeHead(200, SSE_HEADERS);
        response.write(firstEvent(wire), () => setTimeout(() => request.socket.destroy(), 50));
        return;
      case 'no-answer':
        return;
      case 'comment-only-stream':
        response.writeHead(200, SSE_HEADERS);
        response.write(': keep-alive\n\n');
        drip(response, () => ': keep-alive\n\n', 100);
        return;
      case 'trickle': {
        // One valid event, then the next one a byte at a time, never finished.
        response.writeHead(200, SSE_HEADERS);
        response.write(firstEvent(wire));
        const endless = 'data: {"trickle":"' + 'x'.repeat(1_000_000);
        let offset = 0;
        drip(response, () => endless[offset++ % endless.length] ?? 'x', 50);
        return;
      }
      case 'invalid-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"id": "cut-off", "choices": [');
        return;
      case 'html-502':
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
        return;
      case 'oversized-body':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`{"padding":"${'x'.repeat(oversizedBytes)}"}`);
        return;
      case 'oversized-event':
        response.writeHead(200, SSE_HEADERS);
        response.write(firstEvent(wire));
        response.end(`data: {"padding":"${'x'.repeat(oversizedBytes)}"}\n\n`);
        return;
      case 'gzip-bomb':
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        response.end(bomb);
        return;
      case 'error-event':
        response.writeHead(200, SSE_HEADERS);
        response.write(firstEvent(wire));
        response.end(errorEvent(wire));
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Gzip members of zeros, concatenated (a valid gzip body: decoders read member after member),
 * so a large inflated size costs the test one small compression.
 */
function gzipBomb(inflatedBytes: number): Buffer {
  const memberBytes = 16 * 1024 * 1024;
  const member = zlib.gzipSync(Buffer.alloc(Math.min(memberBytes, inflatedBytes)), { level: 9 });
  return Buffer.concat(Array.from({ length: Math.max(1, Math.round(inflatedBytes / memberBytes)) }, () => member));
}

function wireOf(request: IncomingMessage): FaultWire | undefined {
  const path = (request.url ?? '').split('?')[0] ?? '';
  if (request.method !== 'POST') return undefined;
  if (path === '/v1/chat/completions') return 'openai-chat';
  if (path === '/v1/responses') return 'openai-responses';
  if (path === '/v1/messages') return 'anthropic';
  if (/^\/v1beta\/models\/[^/]+:(streamGenerateContent|generateContent)$/.test(path)) return 'gemini';
  return undefined;
}

/** The fault named by the model: `fault-<name>` in the body, or in the path for Gemini. */
function faultOf(request: IncomingMessage, body: string): Fault | undefined {
  let model: unknown;
  const geminiModel = /\/models\/fault-([a-z0-9-]+):/.exec(request.url ?? '');
  if (geminiModel !== null) model = `fault-${geminiModel[1]}`;
  else {
    try {
      model = (JSON.parse(body) as { model?: unknown }).model;
    } catch {
      return undefined;
    }
  }
  const name = typeof model === 'string' && model.startsWith('fault-') ? model.slice('fault-'.length) : '';
  return (FAULTS as readonly string[]).includes(name) ? (name as Fault) : undefined;
}

/** One valid event that starts an answer in `wire`'s stream format. */
function firstEvent(wire: FaultWire): string {
  switch (wire) {
    case 'openai-chat':
      return `data: ${JSON.stringify({
        id: 'chatcmpl-fault',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'fault',
        choices: [{ index: 0, delta: { role: 'assistant', content: 'Partial' }, logprobs: null, finish_reason: null }],
      })}\n\n`;
    case 'openai-responses':
      return `event: response.created\ndata: ${JSON.stringify({
        type: 'response.created',
        sequence_number: 0,
        response: {
          id: 'resp_fault',
          object: 'response',
          created_at: 1_700_000_000,
          status: 'in_progress',
          error: null,
          incomplete_details: null,
          model: 'fault',
          output: [],
          usage: null,
        },
      })}\n\n`;
    case 'anthropic':
      return `event: message_start\ndata: ${JSON.stringify({
        type: 'message_start',
        message: {
          id: 'msg_fault',
          type: 'message',
          role: 'assistant',
          model: 'fault',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 3, output_tokens: 1 },
        },
      })}\n\n`;
    case 'gemini':
      return `data: ${JSON.stringify({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Partial' }] }, index: 0 }],
        modelVersion: 'fault',
      })}\r\n\r\n`;
  }
}

/** The API's own in-stream error event. */
function errorEvent(wire: FaultWire): string {
  const message = 'The upstream failed mid-stream (fault test)';
  switch (wire) {
    case 'openai-chat':
      return `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`;
    case 'openai-responses':
      return `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message, param: null, sequence_number: 1 })}\n\n`;
    case 'anthropic':
      return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message } })}\n\n`;
    case 'gemini':
      return `data: ${JSON.stringify({ error: { code: 500, message, status: 'INTERNAL' } })}\r\n\r\n`;
  }
}
