/**
 * @fileoverview HTTP that Node's parser refuses before Express sees a request (bad framing, a
 * 64 KB header, a stalled chunked body) gets a JSON error from the real `llm-proxy` CLI, in the
 * format of the path when the request line was read, and the server keeps serving. Raw sockets,
 * since no HTTP client sends such requests.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-broken-http-tests';
/** Short, so a stalled body is cut within the test; the default is 60 s. */
const REQUEST_TIMEOUT_MS = 1_500;

/** A response read off a raw socket until the server closed it. */
interface RawResponse {
  status: number;
  headers: string;
  body: string;
  /** Milliseconds from sending to the server closing the connection. */
  closedAfterMs: number;
}

/** Sends `chunks` over one TCP connection and reads until the server closes it (or `waitMs`). */
function rawExchange(port: number, chunks: readonly (string | Buffer)[], waitMs = 20_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    const started = Date.now();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${waitMs} ms; received: ${Buffer.concat(received).toString('latin1').slice(0, 300)}`));
    }, waitMs);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // The server may close while the client still writes (an oversized header): that is an answer too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, headers: split < 0 ? text : text.slice(0, split), body: split < 0 ? '' : text.slice(split + 4), closedAfterMs: Date.now() - started });
    });
  });
}

describe('broken HTTP through the CLI', () => {
  let proxy: RunningCli;
  let host: string;

  beforeAll(async () => {
    assertCliBuilt();
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: { LLM_PROXY_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
    });
    host = `127.0.0.1:${proxy.port}`;
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    cleanUpCliRuns();
    expect(stopped.exitCode).toBe(0);
  });

  /** A local answer (no upstream): Gemini countTokens is estimated by the proxy itself. */
  async function expectStillServing(): Promise<void> {
    const response = await fetch(`${proxy.url}/v1beta/models/openai:ok:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'still here' }] }] }),
    });
    expect(response.status).toBe(200);
  }

  it('answers a broken request line with 400 JSON and keeps serving', async () => {
    const response = await rawExchange(proxy.port, ['HELLO THERE\r\n\r\n']);
    expect(response.status).toBe(400);
    expect(response.headers.toLowerCase()).toContain('content-type: application/json');
    // Even a request Express never saw gets an id to quote.
    expect(response.headers).toMatch(/^x-request-id: [0-9a-f-]{36}$/m);
    const error = (JSON.parse(response.body) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('HTTP_REQUEST_MALFORMED');
    await expectStillServing();
  });

  it('answers broken chunked framing in the format of the path it was sent to', async () => {
    const response = await rawExchange(proxy.port, [
      `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\nx-api-key: ${CLIENT_KEY}\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`,
      'zz\r\n{}\r\n',
    ]);
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(body.error.message).toContain('not valid HTTP/1.1');
    await expectStillServing();
  });

  it('answers a 64 KB header with 431 JSON', async () => {
    const response = await rawExchange(proxy.port, [`GET /v1/models HTTP/1.1\r\nHost: ${host}\r\nx-padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`]);
    expect(response.status).toBe(431);
    const error = (JSON.parse(response.body) as { error: { code: string } }).error;
    expect(error.code).toBe('REQUEST_HEADERS_TOO_LARGE');
    await expectStillServing();
  });

  it('cuts a stalled chunked body after server.request_timeout_ms with 408 JSON', async () => {
    const response = await rawExchange(proxy.port, [
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nauthorization: Bearer ${CLIENT_KEY}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`,
      '5\r\n{"mod\r\n',
    ]);
    expect(response.status).toBe(408);
    const error = (JSON.parse(response.body) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('REQUEST_RECEIVE_TIMEOUT');
    expect(error.message).toContain(`${REQUEST_TIMEOUT_MS} ms`);
    // Not before the limit; the upper bound is rawExchange's generous 20 s, far below Node's old 150 s.
    expect(response.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    await expectStillServing();
  }, 30_000);
});
