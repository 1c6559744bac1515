/**
 * @fileoverview A fake upstream that echoes the credential it received, as a careless gateway
 * does ("Invalid API key: sk-…"), for every built-in wire format on one real node:http server on
 * 127.0.0.1 (port 0). It serves OpenAI Chat Completions, Anthropic Messages and the Gemini API
 * on their own paths; what it answers is chosen by the model name:
 *
 * - `echo-json`: the vendor's JSON error body (HTTP 400) whose message, type/param fields quote
 *   the credential;
 * - `echo-html`: an HTML 502 page quoting it (the proxy quotes an excerpt of non-JSON bodies);
 * - `echo-stream`: for a streamed request, a 200 stream with one text chunk, then the vendor's
 *   in-stream error event quoting it; otherwise the JSON error;
 * - Gemini Code Assist's `v1internal:` calls: the Google JSON error quoting it;
 * - anything else: a short successful answer (streamed when asked), and a token count on the
 *   count-tokens paths.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './fake-upstream-http.js';

type Wire = 'openai' | 'anthropic' | 'gemini';

export interface FakeEchoingUpstream {
  baseUrl: string;
  /** Every credential value the fake received, in order. */
  readonly credentialsSeen: string[];
  close(): Promise<void>;
}

export async function startFakeEchoingUpstream(): Promise<FakeEchoingUpstream> {
  const credentialsSeen: string[] = [];
  const server = createServer((request, response) => {
    void answer(request, response, credentialsSeen).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    credentialsSeen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, credentialsSeen: string[]): Promise<void> {
  const text = await readBody(request);
  const url = new URL(request.url ?? '/', 'http://fake');
  const credential =
    headerValue(request, 'authorization') ?? headerValue(request, 'x-api-key') ?? headerValue(request, 'x-goog-api-key') ?? url.searchParams.get('key') ?? '(none)';
  credentialsSeen.push(credential);
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A GET or an odd body: answered by path alone.
  }

  const geminiMatch = /\/models\/(.+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
  const wire: Wire = geminiMatch !== null ? 'gemini' : url.pathname.endsWith('/messages') ? 'anthropic' : 'openai';
  const model = geminiMatch?.[1] ?? (typeof body['model'] === 'string' ? body['model'] : '');
  const streamed = geminiMatch !== null ? geminiMatch[2] === 'streamGenerateContent' : body['stream'] === true;
  const echo = `The credential you sent is not valid here: ${credential}`;

  if (model === 'echo-html') {
    response.writeHead(502, { 'content-type': 'text/html' });
    response.end(`<html><body><h1>502 Bad Gateway</h1><p>${echo}</p></body></html>`);
    return;
  }
  if (model === 'echo-json' || (model === 'echo-stream' && !streamed)) {
    sendErrorBody(response, wire, echo, credential);
    return;
  }
  if (model === 'echo-stream') {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(firstChunk(wire));
    response.end(streamError(wire, echo));
    return;
  }
  if (url.pathname.includes('/v1internal:')) {
    // Gemini Code Assist (the Gemini CLI login's API): its setup call gets the echo too.
    sendErrorBody(response, 'gemini', echo, credential);
    return;
  }
  if (url.pathname.endsWith('/messages/count_tokens')) {
    sendJson(response, 200, { input_tokens: 7 });
    return;
  }
  if (url.pathname.endsWith(':countTokens')) {
    sendJson(response, 200, { totalTokens: 7 });
    return;
  }
  if (url.pathname.endsWith('/models') && request.method === 'GET') {
    sendJson(response, 200, wire === 'gemini' ? { models: [] } : { object: 'list', data: [] });
    return;
  }
  if (streamed) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(`${firstChunk(wire)}${streamEnd(wire)}`);
    return;
  }
  sendJson(response, 200, successBody(wire));
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function sendErrorBody(response: ServerResponse, wire: Wire, echo: string, credential: string): void {
  if (wire === 'openai') {
    sendJson(response, 400, { error: { message: echo, type: 'invalid_request_error', param: credential, code: `bad_key_${credential}` } });
  } else if (wire === 'anthropic') {
    sendJson(response, 400, { type: 'error', error: { type: 'invalid_request_error', message: echo } });
  } else {
    sendJson(response, 400, { error: { code: 400, message: echo, status: 'INVALID_ARGUMENT' } });
  }
}

function firstChunk(wire: Wire): string {
  if (wire === 'openai') {
    return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] })}\n\n`;
  }
  if (wire === 'anthropic') {
    return (
      `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } } })}\n\n` +
      `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n` +
      `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } })}\n\n`
    );
  }
  return `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, index: 0 }] })}\n\n`;
}

function streamEnd(wire: Wire): string {
  if (wire === 'openai') {
    return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;
  }
  if (wire === 'anthropic') {
    return (
      `event: content_block_stop\ndata: ${JSON.stringify({ type: 'content_block_stop', index: 0 })}\n\n` +
      `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } })}\n\n` +
      `event: message_stop\ndata: ${JSON.stringify({ type: 'message_stop' })}\n\n`
    );
  }
  return `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } })}\n\n`;
}

function streamError(wire: Wire, echo: string): string {
  if (wire === 'openai') return `data: ${JSON.stringify({ error: { message: echo, type: 'server_error' } })}\n\n`;
  if (wire === 'anthropic') return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message: echo } })}\n\n`;
  return `data: ${JSON.stringify({ error: { code: 500, message: echo, status: 'INTERNAL' } })}\n\n`;
}

function successBody(wire: Wire): object {
  if (wire === 'openai') {
    return { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
  }
  if (wire === 'anthropic') {
    return { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
  }
  return { candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } };
}
