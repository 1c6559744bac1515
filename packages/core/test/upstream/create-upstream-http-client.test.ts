import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import {
  createUpstreamHttpClient,
  type ClosableUpstreamHttpClient,
} from '../../src/upstream/create-upstream-http-client.js';
import { watchUpstreamCalls } from '../../src/upstream/upstream-call-watch.js';
import { startUpstreamTiming } from '../../src/upstream/upstream-timing.js';
import { createRecordingLogger, type RecordingLogger } from '../support/recording-logger.js';
import { abortRequestSignal, registerRequestSignal } from '../../src/upstream/request-signals.js';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  remotePort: number;
  /** Resolves once the connection of this request closed before its response finished. */
  aborted: Promise<void>;
}

interface TestServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(handler: (request: SeenRequest, response: ServerResponse) => unknown): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let markAborted!: () => void;
    const record: SeenRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      remotePort: request.socket.remotePort ?? 0,
      aborted: new Promise((resolve) => (markAborted = resolve)),
    };
    response.once('close', () => {
      if (!response.writableFinished) markAborted();
    });
    seen.push(record);
    await handler(record, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const testServer: TestServer = {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  cleanups.push(() => testServer.close());
  return testServer;
}

function newClient(timeoutMs = 5000): { client: ClosableUpstreamHttpClient; logger: RecordingLogger } {
  const logger = createRecordingLogger();
  const client = createUpstreamHttpClient({ timeoutMs, logger });
  cleanups.push(() => client.close());
  return { client, logger };
}

function signal(): AbortSignal {
  return new AbortController().signal;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createUpstreamHttpClient', () => {
  it('sends JSON with the given headers and reads status, headers and body', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-custom': 'yes' });
      response.end('{"ok":true}');
    });
    const { client } = newClient();
    const response = await client.send({
      method: 'POST',
      url: `${server.url}/v1/things?x=1`,
      headers: { authorization: 'Bearer sk-secret-value' },
      json: { hello: 'world' },
      signal: signal(),
    });
    expect(response.status).toBe(201);
    expect(response.headers['x-custom']).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });
    const seen = server.seen[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v1/things?x=1');
    expect(seen?.headers.authorization).toBe('Bearer sk-secret-value');
    expect(seen?.headers['content-type']).toContain('application/json');
    expect(JSON.parse(seen?.body ?? '')).toEqual({ hello: 'world' });
  });

  it('resolves HTTP error statuses instead of throwing, and never retries a POST', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      response.end('{"error":{"message":"busy"}}');
    });
    const { client } = newClient();
    const response = await client.send({ method: 'POST', url: server.url, json: {}, signal: signal() });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('{"error":{"message":"busy"}}');
    expect(server.seen).toHaveLength(1);
  });

  it('does not retry a POST whose connection was reset', async () => {
    const server = await startServer((_request, response) => {
      response.socket?.destroy();
    });
    const { client } = newClient();
    const error = await caught(client.send({ method: 'POST', url: server.url, json: {}, signal: signal() }));
    expect(LlmProxyError.is(error) && error.code).toBe('UPSTREAM_UNREACHABLE');
    expect(server.seen).toHaveLength(1);
  });

  it('refuses a second read of the same body', async () => {
    const server = await startServer((_request, response) => response.end('once'));
    const { client } = newClient();
    const response = await client.send({ method: 'GET', url: server.url, signal: signal() });
    expect(await response.text()).toBe('once');
    expect(() => response.events()).toThrow(expect.objectContaining({ code: 'UPSTREAM_BODY_ALREADY_READ' }));
  });

  it('decompresses gzip bodies', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      response.end(gzipSync('{"compressed":true}'));
    });
    const { client } = newClient();
    const response = await client.send({ method: 'GET', url: server.url, signal: signal() });
    expect(await response.json()).toEqual({ compressed: true });
  });

  it('decompresses zlib-wrapped and raw deflate, brotli, and an empty encoded body', async () => {
    const bodies: Record<string, [string, Buffer]> = {
      '/deflate': ['deflate', deflateSync('{"wrapped":true}')],
      '/raw-deflate': ['deflate', deflateRawSync('{"raw":true}')],
      '/br': ['br', brotliCompressSync('{"brotli":true}')],
      '/empty': ['gzip', Buffer.alloc(0)],
    };
    const server = await startServer((request, response) => {
      const [encoding, body] = bodies[request.url] ?? ['identity', Buffer.alloc(0)];
      response.writeHead(200, { 'content-encoding': encoding, 'content-type': 'application/json' });
      response.end(body);
    });
    const { client } = newClient();
    const read = async (path: string): Promise<string> =>
      (await client.send({ method: 'GET', url: `${server.url}${path}`, signal: signal() })).text();
    expect(JSON.parse(await read('/deflate'))).toEqual({ wrapped: true });
    expect(JSON.parse(await read('/raw-deflate'))).toEqual({ raw: true });
    expect(JSON.parse(await read('/br'))).toEqual({ brotli: true });
    expect(await read('/empty')).toBe('');
    expect(server.seen[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('reports a corrupt compressed body as a broken upstream connection', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.end(Buffer.from('definitely not gzip'));
    });
    const { client } = newClient();
    const response = await client.send({ method: 'GET', url: server.url, signal: signal() });
    await expect(response.text()).rejects.toMatchObject({ code: 'UPSTREAM_CONNECTION_LOST', httpStatus: 502 });
  });

  it('sends Host, a user agent and the real length, keeping headers the caller set', async () => {
    const server = await startServer((_request, response) => response.end('ok'));
    const { client } = newClient();
    const host = new URL(server.url).host;
    await (
      await client.send({
        method: 'POST',
        url: server.url,
        headers: { 'User-Agent': 'custom-agent/1', 'content-length': '999', 'content-type': 'application/vnd.test+json' },
        json: { a: 'é' },
        signal: signal(),
      })
    ).text();
    await (await client.send({ method: 'POST', url: server.url, body: 'plain text', signal: signal() })).text();
    const [withHeaders, plain] = server.seen;
    expect(withHeaders?.headers.host).toBe(host);
    expect(withHeaders?.headers['user-agent']).toBe('custom-agent/1');
    expect(withHeaders?.headers['content-type']).toBe('application/vnd.test+json');
    expect(withHeaders?.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(withHeaders?.body).toBe('{"a":"é"}');
    expect(plain?.headers['user-agent']).toBe('llmproxy');
    expect(plain?.headers['content-type']).toBeUndefined();
    expect(plain?.body).toBe('plain text');
  });

  it('reaches an upstream on an IPv6 literal', async () => {
    const server = createServer((request, response) => response.end(`host=${request.headers.host}`));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const { client } = newClient();
    const response = await client.send({ method: 'GET', url: `http://[::1]:${port}/x`, signal: signal() });
    expect(await response.text()).toBe(`host=[::1]:${port}`);
  });

  it('refuses a URL that is not http or https as unreachable', async () => {
    const { client } = newClient();
    const error = await caught(client.send({ method: 'GET', url: 'ftp://127.0.0.1/file', signal: signal() }));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNREACHABLE', currentValue: 'ERR_UNSUPPORTED_PROTOCOL' });
  });

  it('reuses keep-alive connections', async () => {
    const server = await startServer((_request, response) => response.end('x'));
    const { client } = newClient();
    for (let index = 0; index < 3; index += 1) {
      const response = await client.send({ method: 'POST', url: server.url, json: { index }, signal: signal() });
      await response.text();
      // The socket returns to the pool once the response ended, a tick after the body was read.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(new Set(server.seen.map((seen) => seen.remotePort)).size).toBe(1);
  });

  it('yields each server-sent event as it arrives, before the server sends the next', async () => {
    let releaseSecond!: () => void;
    const secondMayBeSent = new Promise<void>((resolve) => (releaseSecond = resolve));
    let secondSent = false;
    const server = await startServer(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      await secondMayBeSent;
      secondSent = true;
      response.end('data: second\n\n');
    });
    const { client } = newClient();
    const response = await client.send({ method: 'POST', url: server.url, json: {}, signal: signal() });
    const iterator = response.events()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ data: 'first' });
    expect(secondSent).toBe(false);
    releaseSecond();
    expect((await iterator.next()).value).toMatchObject({ data: 'second' });
    expect((await iterator.next()).done).toBe(true);
  });

  it('streams raw bytes as they arrive', async () => {
    const server = await startServer(async (_request, response) => {
      response.write('abc');
      await new Promise((resolve) => setTimeout(resolve, 30));
      response.end('def');
    });
    const { client } = newClient();
    const response = await client.send({ method: 'GET', url: server.url, signal: signal() });
    const pieces: string[] = [];
    for await (const chunk of response.bytes()) pieces.push(Buffer.from(chunk).toString('utf8'));
    expect(pieces.join('')).toBe('abcdef');
    expect(pieces.length).toBeGreaterThanOrEqual(2);
  });

  it('a reader that stops at an end marker leaves the connection reusable', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('data: one\n\ndata: [DONE]\n\n');
    });
    const { client } = newClient();
    for (let index = 0; index < 2; index += 1) {
      const response = await client.send({ method: 'POST', url: server.url, json: {}, signal: signal() });
      for await (const event of response.events()) if (event.data === '[DONE]') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.seen[1]?.remotePort).toBe(server.seen[0]?.remotePort);
  });

  it('a reader that stops early on a body that goes on cuts the connection', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => response.write('data: more\n\n'), 20);
      response.once('close', () => clearInterval(timer));
    });
    const { client } = newClient();
    const response = await client.send({ method: 'POST', url: server.url, json: {}, signal: signal() });
    for await (const event of response.events()) if (event.data === 'more') break;
    await server.seen[0]?.aborted;
  });

  it('aborting mid-body destroys the upstream connection and rethrows the abort reason', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n'); // and never more
    });
    const { client } = newClient();
    const controller = new AbortController();
    const response = await client.send({ method: 'POST', url: server.url, json: {}, signal: controller.signal });
    const iterator = response.events()[Symbol.asyncIterator]();
    await iterator.next();
    const reason = new Error('client went away');
    const pending = iterator.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await server.seen[0]?.aborted; // resolves only if the upstream saw its connection close early
  });

  it('aborting while waiting for headers rejects send() and closes the upstream request', async () => {
    const server = await startServer(() => {
      // never answers
    });
    const { client } = newClient();
    const controller = new AbortController();
    const sending = client.send({ method: 'POST', url: server.url, json: {}, signal: controller.signal });
    while (server.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const error = await caught(sending);
    expect((error as Error).name).toBe('AbortError');
    await server.seen[0]?.aborted;
  });

  // Core aborts its own request signals through abortRequestSignal, which cuts the registered
  // calls without a listener; a signal a connector derived from one still cuts through its listener.
  const abortWays = [
    ['a client request signal aborted by core', (controller: AbortController) => ({ signal: controller.signal, abort: (reason?: unknown) => abortRequestSignal(controller, reason) })],
    ['a signal a connector derived from it', (controller: AbortController) => ({ signal: AbortSignal.any([controller.signal]), abort: (reason?: unknown) => abortRequestSignal(controller, reason) })],
  ] as const;

  it.each(abortWays)('cuts a call mid-body on %s', async (_way, signals) => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n'); // and never more
    });
    const { client } = newClient();
    const controller = new AbortController();
    registerRequestSignal(controller, 'req-mid-body');
    const { signal: sentWith, abort } = signals(controller);
    const response = await client.send({ method: 'POST', url: server.url, json: {}, signal: sentWith });
    const iterator = response.events()[Symbol.asyncIterator]();
    await iterator.next();
    const reason = new Error('client went away');
    const pending = iterator.next();
    abort(reason);
    await expect(pending).rejects.toBe(reason);
    await server.seen[0]?.aborted;
  });

  it.each(abortWays)('cuts a call waiting for headers on %s', async (_way, signals) => {
    const server = await startServer(() => {
      // never answers
    });
    const { client } = newClient();
    const controller = new AbortController();
    registerRequestSignal(controller, 'req-headers');
    const { signal: sentWith, abort } = signals(controller);
    const sending = client.send({ method: 'POST', url: server.url, json: {}, signal: sentWith });
    while (server.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    abort();
    expect(((await caught(sending)) as Error).name).toBe('AbortError');
    await server.seen[0]?.aborted;
  });

  it('rejects at once when the signal is already aborted', async () => {
    const server = await startServer((_request, response) => response.end());
    const { client } = newClient();
    const error = await caught(client.send({ method: 'GET', url: server.url, signal: AbortSignal.abort() }));
    expect((error as Error).name).toBe('AbortError');
    expect(server.seen).toHaveLength(0);
  });

  it('turns a missing answer into a 504 naming the host and the setting', async () => {
    const server = await startServer(() => {
      // never answers
    });
    const { client, logger } = newClient(150);
    const error = await caught(
      client.send({ method: 'POST', url: `${server.url}/v1/chat/completions`, headers: { authorization: 'Bearer sk-hidden' }, json: {}, signal: signal() }),
    );
    expect(LlmProxyError.is(error)).toBe(true);
    const proxyError = error as LlmProxyError;
    expect(proxyError.code).toBe('UPSTREAM_TIMEOUT');
    expect(proxyError.httpStatus).toBe(504);
    expect(proxyError.message).toContain(new URL(server.url).host);
    expect(proxyError.message).toContain('server.upstream_timeout_ms');
    await server.seen[0]?.aborted;
    expect(logger.text()).not.toContain('sk-hidden');
  });

  it('applies a per-request timeout override', async () => {
    const server = await startServer(() => {
      // never answers
    });
    const { client } = newClient(60_000);
    const error = await caught(client.send({ method: 'GET', url: server.url, timeoutMs: 100, signal: signal() }));
    expect((error as LlmProxyError).code).toBe('UPSTREAM_TIMEOUT');
  });

  it('times out a body that stops arriving', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n'); // then silence
    });
    const { client } = newClient(200);
    const response = await client.send({ method: 'POST', url: server.url, json: {}, signal: signal() });
    const iterator = response.events()[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ data: 'first' });
    const error = await caught(iterator.next());
    expect((error as LlmProxyError).code).toBe('UPSTREAM_TIMEOUT');
    expect((error as LlmProxyError).message).toContain('in the middle of its response');
  });

  it('reports an unreachable upstream as 502 without logging headers', async () => {
    const server = await startServer(() => undefined);
    const url = server.url;
    await server.close();
    const { client, logger } = newClient();
    const error = await caught(client.send({ method: 'GET', url, headers: { authorization: 'Bearer sk-hidden' }, signal: signal() }));
    expect((error as LlmProxyError).code).toBe('UPSTREAM_UNREACHABLE');
    expect((error as LlmProxyError).httpStatus).toBe(502);
    expect((error as LlmProxyError).currentValue).toBe('ECONNREFUSED');
    expect(logger.entries.length).toBeGreaterThan(0);
    expect(logger.text()).not.toContain('sk-hidden');
    // The transport's own error may hold the request; what is thrown must not.
    expect(inspect(error, { depth: 10 })).not.toContain('sk-hidden');
  });

  it('names the client request in its log line, found through the signal the request was sent with', async () => {
    const server = await startServer(() => undefined);
    const url = server.url;
    await server.close();
    const { client, logger } = newClient();
    const request = new AbortController();
    registerRequestSignal(request, 'req-7');
    await caught(client.send({ method: 'GET', url, signal: request.signal }));
    await caught(client.send({ method: 'GET', url, signal: signal() }));
    const failures = logger.entries.filter((entry) => entry.message === 'Upstream request failed');
    expect(failures.map((entry) => entry.meta['requestId'])).toEqual(['req-7', undefined]);
  });

  it('reports a body that is not JSON', async () => {
    const server = await startServer((_request, response) => response.end('<html>oops</html>'));
    const { client } = newClient();
    const response = await client.send({ method: 'GET', url: server.url, signal: signal() });
    const error = await caught(response.json());
    expect((error as LlmProxyError).code).toBe('UPSTREAM_INVALID_JSON');
    expect((error as LlmProxyError).message).toContain('<html>oops');
  });

  it('discard() releases the connection for the next request', async () => {
    const server = await startServer((_request, response) => response.end('small body'));
    const { client } = newClient();
    const first = await client.send({ method: 'GET', url: server.url, signal: signal() });
    first.discard();
    // Draining finishes asynchronously; then the socket is back in the pool.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await client.send({ method: 'GET', url: server.url, signal: signal() });
    expect(await second.text()).toBe('small body');
    expect(server.seen[1]?.remotePort).toBe(server.seen[0]?.remotePort);
    await expect(first.text()).rejects.toMatchObject({ code: 'UPSTREAM_BODY_ALREADY_READ' });
  });

  it('adds upstream waits to the timing started for the request signal, without an async scope', async () => {
    const server = await startServer(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      response.end('{"done":true}');
    });
    const { client } = newClient();
    const requestSignal = signal();
    const timing = startUpstreamTiming(requestSignal);
    const other = startUpstreamTiming(signal());
    await (await client.send({ method: 'GET', url: server.url, signal: requestSignal })).json();
    expect(timing.upstreamMs).toBeGreaterThanOrEqual(50);
    expect(other.upstreamMs).toBe(0);
  });

  it('adds the wait for headers and a buffered body to the current upstream timing', async () => {
    const server = await startServer(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      response.write('{"part":');
      await new Promise((resolve) => setTimeout(resolve, 60));
      response.end('1}');
    });
    const { client } = newClient();
    const requestSignal = signal();
    const timing = startUpstreamTiming(requestSignal);
    const response = await client.send({ method: 'GET', url: server.url, signal: requestSignal });
    const afterHeaders = timing.upstreamMs;
    await response.json();
    expect(afterHeaders).toBeGreaterThanOrEqual(50);
    expect(timing.upstreamMs).toBeGreaterThanOrEqual(afterHeaders + 50);
  });

  it('tells the watcher of the request signal when each call started, answered and ended, and nothing to others', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"error":"overloaded"}');
    });
    const { client } = newClient();
    const events: string[] = [];
    const requestSignal = signal();
    watchUpstreamCalls(requestSignal, {
      callStarted(call) {
        events.push(`started ${call.method} ${call.url}`);
        return {
          responded: (status) => events.push(`responded ${status}`),
          ended: (outcome) => events.push(`ended ${outcome.error === undefined ? 'cleanly' : (outcome.error as { code?: string }).code}`),
        };
      },
    });
    const response = await client.send({ method: 'POST', url: `${server.url}/v1/chat?key=secret`, json: {}, signal: requestSignal });
    await response.text();
    await new Promise((resolve) => setImmediate(resolve));
    await client.send({ method: 'GET', url: server.url, signal: signal() }).then((unwatched) => unwatched.text());
    // Nothing listens on port 1: the call fails before any response.
    await expect(client.send({ method: 'GET', url: 'http://127.0.0.1:1/', signal: requestSignal })).rejects.toMatchObject({ code: 'UPSTREAM_UNREACHABLE' });
    expect(events).toEqual([
      `started POST ${server.url}/v1/chat?key=secret`,
      'responded 503',
      'ended cleanly',
      'started GET http://127.0.0.1:1/',
      'ended UPSTREAM_UNREACHABLE',
    ]);
  });
});
