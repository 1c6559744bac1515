/**
 * @fileoverview The same-API stream relay's pulled path: a stream from a response other than core's
 * own upstream client (a third-party connector's) is read through its relayEvents iterator. Core's
 * own responses are pushed; the e2e suites (same-api-relay-through-cli, upstream-faults-through-cli)
 * drive that path through the CLI.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RelayWatch, UpstreamResponse } from '@llmproxy/connector-sdk';
import type { FrontendRelay } from '../../src/frontends/chat-frontend.js';
import type { RequestContext } from '../../src/server/request-context.js';
import { relayStream } from '../../src/server/routes/relay-same-api-stream.js';
import type { SameApiRelay } from '../../src/server/routes/relay-same-api.js';

const relay = {
  usageKey: 'usage',
  usageOf: (usage: Record<string, unknown>) => ({ inputTokens: Number(usage['prompt_tokens']), outputTokens: Number(usage['completion_tokens']) }),
  streamErrorFrame: (error: unknown) => `data: ${JSON.stringify({ error: { message: (error as Error).message } })}\n\n`,
  streamEndMarkers: ['data: [DONE]'],
} as unknown as FrontendRelay;

/** An upstream response that is not core's: its events come from `source`, as a third-party connector's would. */
function thirdPartyResponse(source: (watch: RelayWatch | undefined) => AsyncIterable<Uint8Array>): UpstreamResponse {
  const refused = (): never => {
    throw new Error('only relayEvents is read');
  };
  return { status: 200, headers: { 'x-request-id': 'upstream-1' }, text: refused, json: refused, events: refused, bytes: refused, discard: refused, relayEvents: source };
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Serves one relayed stream per request; resolves with its URL and the contexts the requests had. */
async function serveRelay(upstream: () => UpstreamResponse): Promise<{ url: string; contexts: RequestContext[]; done: Promise<void>[] }> {
  const contexts: RequestContext[] = [];
  const done: Promise<void>[] = [];
  const app = express();
  app.post('/stream', (request, response) => {
    const context = { abortController: new AbortController(), backend: 'third-party', upstreamTiming: undefined } as unknown as RequestContext;
    contexts.push(context);
    const options = { request, response, context, relay, knownSecrets: ['sk-secret-upstream-key'] } as unknown as SameApiRelay;
    const relayed = relayStream(options, upstream(), 'text/event-stream', undefined);
    // Looked at by the tests that expect a rejection; handled here so none is reported as unhandled.
    relayed.catch(() => undefined);
    done.push(relayed);
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`, contexts, done };
}

function post(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('relayStream from a response that is not core\'s', () => {
  it('relays the pieces in order with the upstream\'s headers, and reads usage on the side', async () => {
    const { url, contexts } = await serveRelay(() =>
      thirdPartyResponse(async function* (watch) {
        yield bytes('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n');
        const usage = bytes('data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\n');
        watch?.observe(usage);
        yield usage;
        yield bytes('data: [DONE]\n\n');
      }),
    );
    const answer = await post(url);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream');
    expect(answer.headers['x-request-id']).toBe('upstream-1');
    expect(answer.body).toBe('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\ndata: [DONE]\n\n');
    expect(contexts[0]?.usage).toEqual({ inputTokens: 3, outputTokens: 1 });
  });

  it('ends a stream cut off before its last event, and one whose source failed, with the error event', async () => {
    let fail = false;
    const { url, contexts } = await serveRelay(() =>
      thirdPartyResponse(async function* () {
        yield bytes('data: {"choices":[]}\n\n');
        if (fail) throw new LlmProxyError({ code: 'UPSTREAM_STREAM_BROKEN', message: 'the connection broke, sk-secret-upstream-key', httpStatus: 502 });
      }),
    );
    const cut = await post(url);
    expect(cut.body).toMatch(/^data: \{"choices":\[\]\}\n\ndata: \{"error":\{"message":".*its last event/);
    fail = true;
    const broken = await post(url);
    expect(broken.body).toContain('the connection broke');
    expect(broken.body).not.toContain('sk-secret-upstream-key');
    expect(contexts[1]?.errorCode).toBe('UPSTREAM_STREAM_BROKEN');
  });

  it('answers a failure before the first event as an HTTP error, not as a stream', async () => {
    const { url, done } = await serveRelay(() =>
      thirdPartyResponse(async function* () {
        yield* [];
        throw new Error('no answer');
      }),
    );
    const request = http.request(url, { method: 'POST' });
    request.on('error', () => undefined);
    request.end();
    while (done.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await expect(done[0]).rejects.toThrow('no answer');
    request.destroy();
  });

  it('stops reading the source when the client leaves mid-stream', async () => {
    let returned = false;
    let firstSent: () => void = () => undefined;
    const sentFirst = new Promise<void>((resolve) => (firstSent = resolve));
    const { url, done } = await serveRelay(() =>
      thirdPartyResponse(async function* () {
        try {
          yield bytes('data: {"choices":[]}\n\n');
          firstSent();
          for (;;) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            yield bytes('data: {"choices":[]}\n\n');
          }
        } finally {
          returned = true;
        }
      }),
    );
    const request = http.request(url, { method: 'POST' }, (response) => response.resume());
    request.on('error', () => undefined);
    request.end();
    await sentFirst;
    request.destroy();
    while (done.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await done[0];
    expect(returned).toBe(true);
  });
});
