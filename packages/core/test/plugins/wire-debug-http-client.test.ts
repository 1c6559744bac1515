/**
 * The wire-level debug log of opted-in OAuth backends, over core's real upstream client and a
 * server on 127.0.0.1: what it records, and that credentials never reach it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createWireDebugHttpClient } from '../../src/plugins/wire-debug-http-client.js';
import { createUpstreamHttpClient } from '../../src/upstream/create-upstream-http-client.js';
import { createRecordingLogger, type RecordingLogger } from '../support/recording-logger.js';

describe('wire debug HTTP client', () => {
  let server: Server;
  let base: string;
  let logger: RecordingLogger;
  let http: ReturnType<typeof createUpstreamHttpClient>;

  beforeEach(async () => {
    server = createServer((request, response) => {
      if (request.url === '/token') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.secret-access', expires_in: 3600 }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"response":{"text":"one"}}\n\n');
      response.end('data: {"response":{"text":"two"}}\n\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    logger = createRecordingLogger();
    http = createUpstreamHttpClient({ timeoutMs: 5_000, logger });
  });
  afterEach(async () => {
    http.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('logs requests, responses and bodies with tokens and secrets removed', async () => {
    const wire = createWireDebugHttpClient(http, logger);
    const response = await wire.send({
      method: 'POST',
      url: `${base}/token`,
      headers: { authorization: 'Bearer ya29.request-token', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=1//secret-refresh&client_secret=GOCSPX-secret',
      signal: AbortSignal.timeout(5_000),
    });
    expect(await response.json()).toEqual({ access_token: 'ya29.secret-access', expires_in: 3600 });

    const messages = logger.entries.map((entry) => entry.message);
    expect(messages).toEqual([`Wire #1 request: POST ${base}/token`, 'Wire #1 response: HTTP 200', 'Wire #1 response body']);
    expect(logger.entries[0]!.meta['headers']).toMatchObject({ authorization: '[REDACTED]' });
    expect(logger.entries[0]!.meta['body']).toBe('grant_type=refresh_token&refresh_token=[REDACTED]&client_secret=[REDACTED]');
    for (const secret of ['ya29.request-token', '1//secret-refresh', 'GOCSPX-secret', 'ya29.secret-access']) {
      expect(logger.text()).not.toContain(secret);
    }
  });

  it('logs each stream event as it passes', async () => {
    const wire = createWireDebugHttpClient(http, logger);
    const response = await wire.send({ method: 'POST', url: `${base}/stream`, json: { a: 1 }, signal: AbortSignal.timeout(5_000) });
    const data: string[] = [];
    for await (const event of response.events()) data.push(event.data);
    expect(data).toEqual(['{"response":{"text":"one"}}', '{"response":{"text":"two"}}']);
    expect(logger.entries.map((entry) => entry.message)).toEqual([
      `Wire #1 request: POST ${base}/stream`,
      'Wire #1 response: HTTP 200',
      'Wire #1 stream event 1',
      'Wire #1 stream event 2',
      'Wire #1 stream ended after 2 event(s)',
    ]);
  });
});
